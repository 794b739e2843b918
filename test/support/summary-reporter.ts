// Ends every run with one plain line, "tests: N passed, N failed[, N
// skipped]", that any CI log reader understands, whatever vitest prints;
// then, per file, how many tests were skipped and why (skip.ts). A file that
// fails outside any test (it throws while loading, or in a hook) and an
// error no test caught count as one failure each, so the line never says
// "0 failed" of a red run.
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** The reason given to skipWhen on the test or a suite around it, else the note of ctx.skip(note). */
function skipReason(test: TestCase): string {
  for (let node: TestCase | TestCase['parent'] = test; node.type !== 'module'; node = node.parent) {
    const reason = node.meta().skipReason;
    if (reason) return reason;
  }
  const result = test.result();
  return (result.state === 'skipped' && result.note) || 'no reason given';
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown> = []): void {
    const counts = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    const skips = new Map<string, number>();
    for (const mod of modules) {
      const failedBefore = counts.failed;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else {
          counts.skipped++;
          const key = `${mod.relativeModuleId}: ${skipReason(test)}`;
          skips.set(key, (skips.get(key) ?? 0) + 1);
        }
      }
      if (mod.state() === 'failed' && counts.failed === failedBefore) counts.failed++;
    }
    const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
    const why = [...skips].map(([key, n]) => `  skipped ${n} in ${key}\n`).join('');
    process.stdout.write(`\ntests: ${counts.passed} passed, ${counts.failed} failed${skipped}\n${why}`);
  }
}
