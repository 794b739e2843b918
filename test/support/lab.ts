// Whether this machine can build the namespace lab. Outside CI a developer
// without the tools gets skipped e2e tests and the reason; CI must run them.
import { accessSync, constants } from 'node:fs';
import { labUnavailable, runInLab, type LabFamily, type LabResult } from '../../src/lab/lab.js';
import { findTool } from '../../src/sbin.js';
import { toolMissing } from './skip.js';

export const labMissing = labUnavailable();
if (labMissing && process.env.CI) throw new Error(`CI must run the e2e tests, but: ${labMissing}`);

/**
 * Why the lab cannot run tayga (lab_tayga, lab_clat), or undefined: it needs
 * the tool and a TUN device this user may open (udev makes /dev/net/tun
 * 0666; some containers leave it 0600, root's only).
 */
export function taygaMissing(): string | undefined {
  return toolMissing(findTool('tayga') !== undefined, 'tayga is not installed (apt-get install tayga)')
    ?? toolMissing(canOpen('/dev/net/tun'), 'tayga needs /dev/net/tun, which this user cannot open (chmod 0666 /dev/net/tun, as udev makes it)');
}

function canOpen(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs BODY in a fresh lab. Bodies print "RESULT <name> <exit code>" after
 * each command they want to check, so one lab run can answer several
 * questions: `rc(name)` reads them back. `family: 4` gives the IPv4-only
 * lab (lab_up4 in src/lab/lab.sh) instead of the IPv6-only one, `'dual'`
 * the dual-stack one (lab_up_dual); `timeoutMs` (default 60 s) is when the
 * whole lab is killed.
 */
export async function lab(body: string, options: { family?: LabFamily; timeoutMs?: number } = {}): Promise<LabResult & { rc: (name: string) => number }> {
  const r = await runInLab(body, options.timeoutMs, options.family);
  const rc = (name: string): number => {
    const m = r.stdout.match(new RegExp(`^RESULT ${name} (\\d+)$`, 'm'));
    if (!m) throw new Error(`no result for ${name}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    return Number(m[1]);
  };
  return Object.assign(r, { rc });
}
