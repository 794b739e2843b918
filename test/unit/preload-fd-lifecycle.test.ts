// The descriptor lifecycle of translated sockets (test/c/fd_lifecycle.c):
// dup family, close_range, fork, vfork, exec, posix_spawn, raw closes and
// signal handlers, under AddressSanitizer and UBSan, against the scripted
// helper in a loopback-only network namespace (test/c/smoke.sh).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { preloadLibrary } from '../../src/preload-path.js';

describe('preload descriptor lifecycle (test/c/fd_lifecycle.c)', () => {
  it('passes every case, sanitized', () => {
    const lib = preloadLibrary();
    expect(lib, 'libbia.so is not built').toBeDefined();
    let out: string;
    try {
      out = execFileSync('sh', [new URL('../c/smoke.sh', import.meta.url).pathname, lib!, 'fd_lifecycle'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SMOKE_CFLAGS: '-fsanitize=address,undefined -fno-sanitize-recover=all -g' },
        timeout: 60_000,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`smoke.sh fd_lifecycle failed:\n${e.stdout}\n${e.stderr}`);
    }
    expect(out).toMatch(/^\d+ passed, 0 failed$/m);
    expect(out).not.toMatch(/^FAIL /m);
  }, 90_000);
});
