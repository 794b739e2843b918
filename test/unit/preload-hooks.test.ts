// The preload's hooks against a scripted helper (test/c/fake_helper.py), in
// a network namespace with only loopback: the C-level cases the e2e tests
// cannot reach directly (errnos, options carried across a swap, stale
// descriptors, threads, getaddrinfo/gethostbyname_r corner cases).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { preloadLibrary } from '../../src/preload-path.js';

describe.each(['hook_smoke', 'names_smoke'])('preload hooks (test/c/%s.c)', (program) => {
  it('pass every smoke case', () => {
    const lib = preloadLibrary();
    expect(lib, 'libbia.so is not built').toBeDefined();
    let out: string;
    try {
      out = execFileSync('sh', [new URL('../c/smoke.sh', import.meta.url).pathname, lib!, program], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`smoke.sh failed:\n${e.stdout}\n${e.stderr}`);
    }
    expect(out).toMatch(/^\d+ passed, 0 failed$/m);
    expect(out).not.toMatch(/^FAIL /m);
  });
});
