// Which helper sockets bia believes before it says anything on one: a
// socket another local user made would see every name a program looks up
// and could send its connections anywhere (docs/threat-model.md, "Which
// helper socket is believed"). The rule is the one the preload and the
// native launcher apply in C (preload/include/bia_socktrust.h); its
// messages are the same, word for word.
//
// Any socket: its directory, looked at without following a symbolic link,
// is the caller's own with mode 0700 (a private helper, whose listener must
// run as the caller), or root vouches for it (not writable by group or
// others, and root's, or given by root to a service user: every directory
// above it root's alone), and the socket file is a socket, no symbolic
// link, of the directory's owner (or root's, in a vouched directory).
//
// The shared helper's configured socket (checkSystemSocket) must moreover
// have only root's directories above its own; a symbolic link in its path
// is resolved first and the resolved path used, so a link cannot be turned
// elsewhere after the check.
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError, EXIT_UNTRUSTED_SOCKET } from './exit-codes.js';
import type { PeerCredentials } from './native.js';

export type SystemSocket = { trusted: string } | { absent: true } | { untrusted: string };

/** Who may listen on a socket the rule accepts. */
export interface Trusted {
  /** The directory's owner. */
  owner: number;
  /** Root vouches for it: not a private socket of the caller's. */
  vouched: boolean;
  /** Root's socket in root's directory: root chose its listener (systemd's DynamicUser helper). */
  anyPeer: boolean;
}

export type SocketTrust = Trusted | { absent: true } | { untrusted: string };

/** Refused: a socket or listener someone else may control. */
export class UntrustedSocketError extends CliError {
  constructor(message: string) {
    super(message, EXIT_UNTRUSTED_SOCKET);
    this.name = 'UntrustedSocketError';
  }
}

const WRITABLE_BY_OTHERS = 0o022;
const ELSEWHERE = 'or set XDG_RUNTIME_DIR (or BIA_SOCKET) to a directory of your own';

function mode(st: Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, '0');
}

function me(): number {
  return process.geteuid!();
}

function lstatOrAbsent(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The first directory above DIR (resolved) that is not root's alone, or undefined when none is. */
function notRootsAbove(dir: string): { path: string; st: Stats } | undefined {
  for (let below = dir, up = dirname(dir); up !== below; below = up, up = dirname(up)) {
    const st = lstatSync(up);
    if (st.uid !== 0 || st.mode & WRITABLE_BY_OTHERS) return { path: up, st };
  }
  return undefined;
}

function givenByRoot(dir: string): boolean {
  try {
    return notRootsAbove(realpathSync(dir)) === undefined;
  } catch {
    return false;
  }
}

function checkDir(dir: string): Trusted | { absent: true } | { untrusted: string } {
  let st: Stats | undefined;
  try {
    st = lstatOrAbsent(dir);
  } catch (err) {
    return { untrusted: `cannot look at ${dir}: ${(err as Error).message}; ${ELSEWHERE}` };
  }
  if (!st) return { absent: true };
  if (st.isSymbolicLink()) return { untrusted: `${dir} is a symbolic link (uid ${st.uid}'s), not a directory; whoever made it may listen there: remove it (rm ${dir}) ${ELSEWHERE}` };
  if (!st.isDirectory()) return { untrusted: `${dir} is not a directory: remove it (rm ${dir}) ${ELSEWHERE}` };
  if (st.uid === me() && !(st.mode & 0o077)) return { owner: st.uid, vouched: false, anyPeer: false };
  if (!(st.mode & WRITABLE_BY_OTHERS) && (st.uid === 0 || givenByRoot(dir))) return { owner: st.uid, vouched: true, anyPeer: false };
  if (st.uid === me()) return { untrusted: `its directory ${dir} is yours but has mode ${mode(st)}, not 0700: run 'chmod 0700 ${dir}'` };
  return {
    untrusted: `its directory ${dir} belongs to uid ${st.uid} (mode ${mode(st)}), neither to you (uid ${me()}) with mode 0700 nor to root alone; whoever made it may listen there: remove it (rm -r ${dir}, as its owner or root) ${ELSEWHERE}`,
  };
}

function refusal(path: string, why: string): { untrusted: string } {
  return { untrusted: `refusing the helper socket ${path}: ${why}` };
}

/** Whether the socket at PATH (as given) may be talked to, and who may listen on it. */
export function checkHelperSocket(path: string): SocketTrust {
  const dir = checkDir(dirname(path));
  if (!('owner' in dir)) return 'untrusted' in dir ? refusal(path, dir.untrusted) : dir;
  let st: Stats | undefined;
  try {
    st = lstatOrAbsent(path);
  } catch (err) {
    return refusal(path, `cannot look at it: ${(err as Error).message}`);
  }
  if (!st) return { absent: true };
  if (st.isSymbolicLink()) return refusal(path, `it is a symbolic link (uid ${st.uid}'s), not a socket: remove it (rm ${path})`);
  if (!st.isSocket()) return refusal(path, `it is not a socket: remove it (rm ${path})`);
  if (st.uid !== dir.owner && !(dir.vouched && st.uid === 0)) return refusal(path, `it belongs to uid ${st.uid}, not to uid ${dir.owner} whose directory it is in: remove it (rm ${path})`);
  return { ...dir, anyPeer: dir.vouched && dir.owner === 0 && st.uid === 0 };
}

/** Why the process listening on PATH (PEER, SO_PEERCRED) may not serve the caller; undefined when it may. */
export function peerRefusal(path: string, trust: Trusted, peer: PeerCredentials): string | undefined {
  if (peer.uid === me() || trust.anyPeer || (trust.vouched && (peer.uid === 0 || peer.uid === trust.owner))) return undefined;
  const others = trust.vouched ? ", root or the directory's owner" : '';
  return refusal(path, `the process listening on it (pid ${peer.pid}) runs as uid ${peer.uid}, not as you (uid ${me()})${others}; remove it (rm ${path}, as its owner or root) ${ELSEWHERE}`).untrusted;
}

/** The trust of PATH, throwing UntrustedSocketError when it is refused. */
export function requireTrusted(path: string): Trusted | { absent: true } {
  const trust = checkHelperSocket(path);
  if ('untrusted' in trust) throw new UntrustedSocketError(trust.untrusted);
  return trust;
}

/** The resolved path of the shared helper's socket at PATH, or why it is not one to use. */
export function checkSystemSocket(path: string): SystemSocket {
  let dir: string;
  let socket: Stats;
  try {
    dir = realpathSync(dirname(path));
    socket = lstatSync(join(dir, basename(path)));
  } catch {
    return { absent: true };
  }
  const resolved = join(dir, basename(path));
  if (!socket.isSocket()) return { untrusted: `${resolved} is not a socket` };
  const own = lstatSync(dir);
  if (own.mode & WRITABLE_BY_OTHERS) return { untrusted: `its directory ${dir} is writable by others (mode ${(own.mode & 0o7777).toString(8)})` };
  const above = notRootsAbove(dir);
  if (above) return { untrusted: `${above.path} is not root's alone (owner uid ${above.st.uid}, mode ${(above.st.mode & 0o7777).toString(8)}), so anyone may have made ${dir}` };
  if (socket.uid !== 0 && socket.uid !== own.uid) return { untrusted: `it belongs to uid ${socket.uid}, neither root nor ${dir}'s owner (uid ${own.uid})` };
  return { trusted: resolved };
}
