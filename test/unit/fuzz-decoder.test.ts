// Fuzzes the preload's reply decoder (test/fuzz/reply_decoder.c) with
// libFuzzer under ASan and UBSan for a fixed budget, seeded from the kept
// corpus test/fuzz/corpus/reply/. Any crash, sanitizer report or broken
// invariant fails the test. For a longer run:
//   BIA_FUZZ_SECONDS=600 npx vitest run test/unit/fuzz-decoder.test.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWhen, toolMissing } from '../support/skip.js';

const root = new URL('../..', import.meta.url).pathname;
const seeds = join(root, 'test/fuzz/corpus/reply');
const seconds = Number(process.env.BIA_FUZZ_SECONDS ?? 20);
const clangMissing = toolMissing(
  spawnSync('clang', ['--version']).status === 0,
  'clang is not installed (apt-get install clang libclang-rt-dev)',
);

describe('reply decoder fuzzing (libFuzzer)', () => {
  it('keeps a seed corpus', () => {
    expect(readdirSync(seeds).length).toBeGreaterThan(10);
  });

  let work = '';
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`survives ${seconds} s of fuzzing without a crash`, { ...skipWhen(clangMissing), timeout: (seconds + 90) * 1000 }, () => {
    work = mkdtempSync(join(tmpdir(), 'bia-fuzz-'));
    const fuzzer = join(work, 'reply_decoder');
    execFileSync('clang', [
      '-g', '-O1', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all',
      '-I', join(root, 'preload/include'),
      join(root, 'preload/core/client/protocol.c'), join(root, 'test/fuzz/reply_decoder.c'),
      '-o', fuzzer,
    ]);
    // New inputs go to the scratch directory (first); the kept seeds are read only.
    const scratch = mkdtempSync(join(work, 'corpus-'));
    const run = spawnSync(fuzzer, [`-max_total_time=${seconds}`, '-timeout=5', `-artifact_prefix=${work}/`, scratch, seeds], {
      encoding: 'utf8',
      timeout: (seconds + 60) * 1000,
    });
    const log = run.stderr.split('\n').slice(-40).join('\n');
    expect(run.status, `libFuzzer failed:\n${log}`).toBe(0);
    expect(log).toMatch(/^Done \d+ runs/m);
  });
});
