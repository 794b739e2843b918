// Runs a bash script inside a throwaway IPv6-only lab (see lab.sh): the
// demo's sandbox and the end-to-end tests' network.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { nativeLauncher } from '../preload-path.js';
import { findTool } from '../sbin.js';

const labScript = join(packageRoot, 'src', 'lab', 'lab.sh');

export interface LabResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * unshare's arguments: root needs no user namespace, everyone else does.
 * BIA_LAB_USERNS=1 makes root take the unprivileged path too (tests do).
 */
function unshareArgs(): string[] {
  // --kill-child: a lab killed at its timeout takes every process in its
  // PID namespace with it (unshare's child is that namespace's init);
  // survivors would also hold its output pipes open, and the run with them.
  const ns = ['--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc'];
  const root = process.geteuid?.() === 0 && process.env.BIA_LAB_USERNS !== '1';
  return root ? ns : ['--user', '--map-root-user', ...ns];
}

/** What the lab's network has: IPv6 only (6, the default, for IPv4 programs), IPv4 only (4, for IPv6 programs), or both. */
export type LabFamily = 4 | 6 | 'dual';

const LAB_UP: Record<LabFamily, string> = { 6: 'lab_up', 4: 'lab_up4', dual: 'lab_up_dual' };

function bashArgs(body: string, family: LabFamily = 6): string[] {
  return ['bash', '-c', `source "${labScript}"\n${LAB_UP[family]}\nset +eu\n${body}`];
}

/** Runs BODY in a fresh lab and collects its output. */
export function runInLab(body: string, timeoutMs = 60_000, family: LabFamily = 6): Promise<LabResult> {
  return new Promise((resolve, reject) => {
    // The tests' Python programs print, then fork or exec: on a pipe, Python's
    // buffered lines would be lost (neither os.exec* nor os._exit flushes),
    // unless the environment happened to set PYTHONUNBUFFERED.
    const child = spawn('unshare', [...unshareArgs(), ...bashArgs(body, family)], {
      env: { ...process.env, BIA_ROOT: packageRoot, LAB_BIA: nativeLauncher() ?? '', LAB_QUIET: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal ? 9 : 0), stdout, stderr });
    });
  });
}

/** Runs BODY in a fresh lab with the terminal attached (the demo). */
export function runInLabAttached(body: string): number {
  const r = spawnSync('unshare', [...unshareArgs(), ...bashArgs(body)], {
    env: { ...process.env, BIA_ROOT: packageRoot, LAB_BIA: nativeLauncher() ?? '' },
    stdio: 'inherit',
  });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** Why a lab cannot be built here, or undefined when it can. */
export function labUnavailable(): string | undefined {
  const missing = ['unshare', 'nsenter', 'ip', 'dnsmasq', 'socat', 'getent'].filter((tool) => !findTool(tool));
  if (missing.length) return `missing tools: ${missing.join(', ')} (Debian: apt-get install util-linux iproute2 dnsmasq-base socat libc-bin)`;
  const probe = spawnSync('unshare', [...unshareArgs(), 'true']);
  if (probe.status !== 0) {
    return `cannot create namespaces: ${probe.stderr.toString().trim()} (unprivileged user namespaces may be disabled: sysctl kernel.unprivileged_userns_clone=1 or run as root)`;
  }
  return undefined;
}
