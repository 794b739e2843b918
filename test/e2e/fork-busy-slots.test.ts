// fork() while other threads write the fd table (issue 17 item 7), through
// bia run in the IPv6-only lab: test/c/fork_busy.c keeps four threads
// dup2ing a translated socket onto numbers of their own and forks 1,500
// times; every child dup2s the socket onto all of those numbers and checks
// that getpeername says AF_INET. Before the fix a slot a thread was
// writing at the fork stayed BUSY forever in the child (about 2% of the
// children saw AF_INET6, with "cannot remember its translation").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const FORKS = 1500;
const work = mkdtempSync(join(tmpdir(), 'bia-fork-busy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('fork while threads hold fd-table slots', skipWhen(labMissing), () => {
  it(`${FORKS} children of a multithreaded program: every copy of a translated socket shows AF_INET`, async () => {
    const binary = join(work, 'fork_busy');
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Wextra', '-O1', '-g', '-pthread', join(packageRoot, 'test/c/fork_busy.c'), '-o', binary]);
    const r = await lab(`peer_serve_tcp 8080
bia run -- ${binary} v6only.test 8080 ${FORKS}; echo "RESULT fork_busy $?"`, { timeoutMs: 170_000 });
    const log = `${r.stdout}\n${r.stderr}`;
    expect(r.stdout, log).toMatch(new RegExp(`^ok   0 of ${FORKS} children forked while threads wrote the table saw AF_INET6$`, 'm'));
    expect(r.stderr, log).not.toMatch(/cannot remember its translation/);
    expect(r.rc('fork_busy'), log).toBe(0);
  }, 180_000);
});
