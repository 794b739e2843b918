// The lab itself: a body that outlives its timeout is killed whole. Before,
// only unshare died; what the body had started kept running and held the
// lab's output open, so the run did not end until those processes did.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runInLab } from '../../src/lab/lab.js';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

describe('the namespace lab', skipWhen(labMissing), () => {
  it('kills every process of a body that outlives its timeout, and ends then', async () => {
    const marker = `bia-lab-timeout-probe-${process.pid}`;
    const started = Date.now();
    const r = await runInLab(`(exec -a ${marker} sleep 600) & sleep 600`, 3_000);
    expect(r.code).toBe(137);
    expect(Date.now() - started).toBeLessThan(20_000);
    await new Promise((done) => setTimeout(done, 300));
    expect(spawnSync('pgrep', ['-f', marker]).status, 'no process of the lab is left').toBe(1);
  }, 30_000);
});
