import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end tests build network namespaces and start helpers; running
    // files one after another keeps them from competing for two cores.
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/run-tmpdir.ts'],
  },
});
