// The preload's hooks against a scripted helper (test/c/fake_helper.py), in
// a network namespace with only loopback (test/c/smoke.sh): one C program
// per call family, for what no packaged program exercises (errnos, options
// carried across a swap, control messages, mmsg calls, stale descriptors,
// dup/fork/exec, threads and signal handlers, resolver corner cases). Each
// program is built with AddressSanitizer and UBSan.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { preloadLibrary } from '../../src/preload-path.js';

const SANITIZERS = '-fsanitize=address,undefined -fno-sanitize-recover=all -g';
const PROGRAMS = [
  ['hook_smoke', 'sockets: connect, bind, accept, send/recv families, options, control messages'],
  ['swap_options', 'options, O_NONBLOCK (fcntl, ioctl) and FD_CLOEXEC set before a swap: made here and inherited'],
  ['names_smoke', 'name services: getaddrinfo, gethostby*, getnameinfo, res_query, literals'],
  ['fd_lifecycle', 'descriptor lifecycle: dup family, close_range, fork, vfork, exec, spawn'],
  ['one_free_fd', 'connect with one free descriptor: TCP and UDP, blocking or not, never EMFILE'],
  ['clone_children', 'a translated socket in children of raw clone, clone3, CLONE_VM, vfork and posix_spawn'],
  ['resolve_cache', 'RESOLVE answers kept in the process for their ttl, bounded'],
  ['sig_handlers', 'signal handlers: translated inside the library, dispositions shown as the program set them'],
  ['helper_conn', 'helper connections: kept across calls, threads, fork, helper hang-up, close_range'],
  ['usecount', 'mapping use counts: first and last socket, linger, full table, fork, racing threads'],
  ['maptable', "the helper's published table: lookups, expiry, malformed and replaced files, torn reads"],
];

describe.each(PROGRAMS)('preload C tests: test/c/%s.c', (program, what) => {
  it(`passes every case (${what})`, () => {
    const lib = preloadLibrary();
    expect(lib, 'libbia.so is not built').toBeDefined();
    let out: string;
    try {
      out = execFileSync('sh', [new URL('../c/smoke.sh', import.meta.url).pathname, lib!, program], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SMOKE_CFLAGS: SANITIZERS },
        timeout: 60_000,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`smoke.sh ${program} failed:\n${e.stdout}\n${e.stderr}`);
    }
    expect(out).toMatch(/^\d+ passed, 0 failed$/m);
    expect(out).not.toMatch(/^FAIL /m);
  }, 90_000);
});
