// The README's main command: `bia demo` must show the failure without bia
// and the success with it, as root and on the unprivileged (user namespace)
// path that users without root take.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { packageRoot } from '../../src/package-root.js';

const cli = join(packageRoot, 'dist', 'cli', 'main.js');

function demo(env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [cli, 'demo'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('bia demo', skipWhen(labMissing), () => {
  it('shows IPv4-only programs failing alone and succeeding through bia', () => {
    const r = demo({});
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('Without bia the IPv4-only programs failed; with bia they reached the IPv6-only peer.');
  });

  it('works in a user namespace, the path taken without root', () => {
    const r = demo({ BIA_LAB_USERNS: '1' });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('with bia they reached the IPv6-only peer');
  });

  it('colours its headings only on a terminal, and never with NO_COLOR', () => {
    const bold = '\x1b[1m';
    expect(demo({}).out).not.toContain(bold);
    // script(1) gives the demo a terminal for its stdout.
    const onTty = (env: NodeJS.ProcessEnv): string =>
      spawnSync('script', ['-qec', `${process.execPath} ${cli} demo`, '/dev/null'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }).stdout;
    expect(onTty({})).toContain(`${bold}Without bia`);
    expect(onTty({ NO_COLOR: '1' })).not.toContain(bold);
  }, 180_000);
});
