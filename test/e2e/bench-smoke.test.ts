// `npm run bench:smoke`: the benchmark suite with tiny iteration counts, so
// that it cannot rot between full runs. Only that it runs and produces every
// figure is checked here, not the figures (CI machines are too noisy).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labMissing, taygaMissing } from '../support/lab.js';
import { packageRoot } from '../../src/package-root.js';
import { skipWhen } from '../support/skip.js';

const benchTools = ['cc', 'iperf3', 'hyperfine', 'proxychains4', 'microsocks'].filter(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0,
);

const noTayga = taygaMissing();

if (benchTools.length && process.env.CI) throw new Error(`CI must run the benchmark smoke test, but these are missing: ${benchTools.join(', ')}`);

describe('npm run bench:smoke', skipWhen(labMissing, benchTools.length > 0 && `missing ${benchTools.join(', ')} (apt-get install the README's line)`), () => {
  const out = mkdtempSync(join(tmpdir(), 'bia-bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures every figure side by side and writes the table and the plot', () => {
    const r = spawnSync('node', [join(packageRoot, 'bench', 'run.mjs'), '--smoke', '--out', out], { encoding: 'utf8', timeout: 90_000 });
    expect(r.status, r.stderr).toBe(0);
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    for (const metric of ['TCP bulk throughput', 'connect(), mapping known', 'first in a fresh process', 'getaddrinfo, cold', 'getaddrinfo, warm', 'process start', 'bia run -- /bin/true`, helper running, wall clock', 'bia run -- /bin/true`, helper running, CPU time', 'through the Node launcher', 'helper requests/s', 'helper RSS per mapping', 'proxychains']) {
      expect(md).toContain(metric);
    }
    expect(md).toMatch(/\| \d+\.\d\dx \| >= 0\.98x/); // throughput ratio is a number, not "-"
    // The alternatives are compared on the first connect and on cold names too.
    for (const metric of ['connect(), first in a fresh process, p50 (us)', 'connect(), first in a fresh process, p99 (us)', 'getaddrinfo, cold name, p50 (us)'])
      expect(md, md).toMatch(new RegExp(`^\\| ${metric.replace(/[()]/g, '\\$&')} \\| [\\d.,]+ \\| [\\d.,]+ \\(`, 'm'));
    // The userspace CLAT (tayga) is measured wherever tayga can run (CI installs it).
    if (!noTayga) expect(md, md).not.toMatch(/\| - \| - \|/);
    expect(readFileSync(join(out, 'bench.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  }, 100_000);
});
