// Fuzzes the preload's reply decoder (test/fuzz/reply_decoder.c) with
// libFuzzer under ASan and UBSan for a fixed budget, seeded from the kept
// corpus test/fuzz/corpus/reply/. Any crash, sanitizer report or broken
// invariant fails the test. For a longer run:
//   BIA_FUZZ_SECONDS=600 npx vitest run test/unit/fuzz-decoder.test.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const seeds = join(root, 'test/fuzz/corpus/reply');
const seconds = Number(process.env.BIA_FUZZ_SECONDS ?? 20);

describe('reply decoder fuzzing (libFuzzer)', () => {
  it('keeps a seed corpus', () => {
    expect(readdirSync(seeds).length).toBeGreaterThan(10);
  });

  it(`survives ${seconds} s of fuzzing without a crash`, () => {
    const work = mkdtempSync(join(tmpdir(), 'bia-fuzz-'));
    const fuzzer = join(work, 'reply_decoder');
    execFileSync('clang', [
      '-g', '-O1', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all',
      '-I', join(root, 'preload/include'),
      join(root, 'preload/core/protocol.c'), join(root, 'test/fuzz/reply_decoder.c'),
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
  }, (seconds + 90) * 1000);
});
