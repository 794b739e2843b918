// `bia stop`: ends this user's helper the way SIGTERM does (it closes its
// clients and removes its socket), and waits until it is gone.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from './args.js';
import { optionSpec } from './commands.js';
import { effectiveConfig } from '../config/effective.js';
import { CliError, EXIT_HELPER_STUCK, EXIT_HELPER_UNAVAILABLE, EXIT_USAGE } from '../exit-codes.js';
import { helperPeer, type HelperPeer } from './helper-peer.js';

const STOP_TIMEOUT_MS = 5000;
const POLL_MS = 20;

export async function stop(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, optionSpec('stop'));
  if (rest.length) throw new CliError(`stop takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  const socket = effectiveConfig(options).config.socket;
  const stopped = await stopHelper(socket);
  if (!stopped) {
    process.stderr.write(`bia: no helper running at ${socket}\n`);
    return 0;
  }
  const again = stopped.activated ? '; systemd starts it again for the next program (systemctl --user stop bia-helper.socket to stop that too)' : '';
  process.stderr.write(`bia: stopped the helper (pid ${stopped.pid})${again}\n`);
  return 0;
}

/** Ends the helper listening on SOCKET and waits until it is gone; undefined when none listens. */
export async function stopHelper(socket: string): Promise<HelperPeer | undefined> {
  const peer = await helperPeer(socket).catch((err: Error) => {
    throw err instanceof CliError ? err : new CliError(`cannot reach ${socket}: ${err.message}`, EXIT_HELPER_UNAVAILABLE);
  });
  if (!peer) return undefined;
  // Never signal someone else's process, whatever listens on the path.
  if (peer.uid !== process.getuid!()) throw new CliError(`the process listening on ${socket} (pid ${peer.pid}) belongs to uid ${peer.uid}, not to you; not stopping it`, EXIT_USAGE);
  process.kill(peer.pid, 'SIGTERM');
  if (!(await gone(peer.pid, peer.activated ? undefined : socket))) {
    throw new CliError(`the helper (pid ${peer.pid}) did not stop within ${STOP_TIMEOUT_MS} ms; 'kill -KILL ${peer.pid}' ends it (its socket ${socket} is then stale, and the next helper replaces it)`, EXIT_HELPER_STUCK);
  }
  return peer;
}

/** Waits until PID has exited and its socket (if it is the helper's own) is removed; false on timeout. */
async function gone(pid: number, socket: string | undefined): Promise<boolean> {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive(pid) && !(socket && existsSync(socket))) return true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return false;
}

/** Whether PID runs; a zombie has exited (whoever started it just has not reaped it yet). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
