// Concurrency stress (test/c/stress.c) through `bia run` in the IPv6-only
// lab: 64 threads resolving, connecting and closing (translated and native
// peers, each connection checked against the identity its server echoes),
// fork and vfork/posix_spawn storms under busy threads, signal handlers that
// connect and close (also while their thread is inside bia: every one must
// reach its peer, and no descriptor may be left open), and close_range /
// close-loop programs. CI runs 20 iterations per thread and 3 signal rounds;
// the full run (64 x 1,000, 30 signal rounds) is
//   BIA_STRESS_ITERATIONS=1000 BIA_STRESS_SIGNAL_LOOPS=30 npx vitest run test/e2e/stress.test.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const ITERATIONS = Number(process.env.BIA_STRESS_ITERATIONS ?? 20);
const SIGNAL_LOOPS = Number(process.env.BIA_STRESS_SIGNAL_LOOPS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'bia-stress-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Builds test/c/stress.c with extra compiler flags; returns the binary. */
export function buildStress(flags: string[] = [], name = 'stress'): string {
  const out = join(work, name);
  execFileSync('cc', ['-std=gnu11', '-Wall', '-Wextra', '-O1', '-g', '-pthread', ...flags, join(packageRoot, 'test/c/stress.c'), '-o', out]);
  return out;
}

/** The lab script: identity servers on the peer (and on the host, for loopback), then the stress client through bia run. */
export function stressScript(binary: string, iterations: number, runPrefix = ''): string {
  return `peer ${binary} serve 9000 8 >/dev/null &
${binary} serve 9000 8 >/dev/null &
lab_wait "the peer's identity servers" peer_listening 9007
lab_wait "the host's identity servers" sh -c 'ss -Htln "sport = :9007" | grep -q .'
STRESS_ITERATIONS=${iterations} STRESS_SIGNAL_LOOPS=${SIGNAL_LOOPS} ${runPrefix} bia run -- ${binary} run 9000 8; echo "RESULT stress $?"`;
}

describe('concurrency stress through bia run', skipWhen(labMissing), () => {
  it(`64 threads x ${ITERATIONS}, fork/vfork/spawn storms, signal handlers, close_range: right peers, no leak, no deadlock`, async () => {
    const r = await lab(stressScript(buildStress(), ITERATIONS), { timeoutMs: 280_000 });
    const log = `${r.stdout}\n${r.stderr}`;
    console.log(r.stdout.split('\n').filter((l) => /^(ok|FAIL|\s)/.test(l)).join('\n'));
    // What the library said about any failure (its warnings go to the program's stderr).
    const warnings = [...new Set(r.stderr.split('\n').filter((l) => /^bia\[\d+\]/.test(l)).map((l) => l.replace(/^bia\[\d+\]: /, '')))];
    if (warnings.length) console.log(`bia warnings:\n${warnings.slice(0, 20).join('\n')}`);
    expect(r.stdout, log).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.stdout, log).not.toMatch(/^FAIL /m);
    expect(r.stdout, log).toMatch(new RegExp(`^ok   64 threads x ${ITERATIONS} resolves`, 'm'));
    expect(r.stdout.match(/^ok   no descriptor leaked by the signal handlers/gm), log).toHaveLength(SIGNAL_LOOPS);
    expect(r.rc('stress'), log).toBe(0);
  }, 300_000);
});
