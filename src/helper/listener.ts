// The helper's listening socket: its directory made and checked, a stale
// socket file replaced (never a live helper's), systemd's socket taken over.
// The socket is made in the addon, which accepts its connections
// (stream-conns.ts), and closed with them.
import fs from 'node:fs';
import path from 'node:path';
import { getSystemErrorName } from 'node:util';
import { isBusy, request } from '../client.js';
import { CliError, EXIT_CONFIG, EXIT_HELPER_UNAVAILABLE } from '../exit-codes.js';
import type { Logger } from '../log.js';
import { isListening, listenStream } from '../native.js';
import { UntrustedSocketError } from '../socket-trust.js';
import { unixSocketPath } from '../unix-sockets.js';
import { MsgType } from '../wire/messages.js';
import type { StateStore } from './statestore.js';

/** A helper already answers on the socket: nothing to do (the CLI exits quietly). */
export class HelperRunningError extends Error {
  constructor(readonly socketPath: string) {
    super(`a helper is already running at ${socketPath}`);
    this.name = 'HelperRunningError';
  }
}

// sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107;

/**
 * Who may reach the socket: its user only (0600 in 0700), everyone (0666 in
 * 0755: a shared helper, which refuses a directory that keeps others out),
 * or everyone where the path lets them (a container's root helper, which
 * says so when it does not).
 */
export type SocketAccess = 'own' | 'shared' | 'container';

// another socket in its place, nor a symbolic link someone else may turn.
function prepareDirectory(socketPath: string, access: SocketAccess, log: Logger): void {
  const shared = access !== 'own';
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) throw new CliError(`socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes; set BIA_SOCKET to a shorter one`, EXIT_CONFIG);
  const dir = path.dirname(socketPath);
  try {
    // A directory made here gets its mode whatever the umask (a 077 one would shut others out).
    if (fs.mkdirSync(dir, { recursive: true, mode: shared ? 0o755 : 0o700 }) !== undefined && shared) fs.chmodSync(dir, 0o755);
  } catch (err) {
    const fix = shared ? `as root: install -d -m 0755 -o ${process.getuid!()} ${dir}` : 'set XDG_RUNTIME_DIR (or BIA_SOCKET) to a directory of your own';
    throw new CliError(`cannot create ${dir} for the ${shared ? "shared helper's" : "helper's"} socket (${(err as Error).message}); ${fix}`, EXIT_CONFIG);
  }
  const st = fs.lstatSync(dir);
  const uid = process.getuid!();
  const refuse = (why: string) => new UntrustedSocketError(`refusing to put the helper socket in ${dir}: ${why}`);
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  if (st.isSymbolicLink()) throw refuse(`it is a symbolic link (uid ${st.uid}'s), not a directory; remove it (rm ${dir}) or set XDG_RUNTIME_DIR (or BIA_SOCKET) to a directory of your own`);
  if (st.uid !== uid) throw refuse(`it belongs to uid ${st.uid} (mode ${mode}), not to uid ${uid}; whoever made it may listen there: remove it (rm -r ${dir}, as its owner or root) or set XDG_RUNTIME_DIR (or BIA_SOCKET) to a directory of your own`);
  if (st.mode & 0o022) throw refuse(`others can write to it (mode ${mode}); run 'chmod go-w ${dir}' or choose another BIA_SOCKET`);
  if (access === 'shared' && (st.mode & 0o005) !== 0o005) throw new CliError(`the shared helper's socket directory ${dir} keeps other users out (mode ${(st.mode & 0o777).toString(8)}); run 'chmod 0755 ${dir}'`, EXIT_CONFIG);
  // Root's directory is one root vouches for (socket-trust.ts): a root helper may serve every uid from it.
  if (!shared && uid !== 0 && st.mode & 0o077) throw refuse(`its mode is ${mode}, but a private helper's directory must be 0700, as programs require: run 'chmod 0700 ${dir}'`);
  if (access === 'container') warnClosedPath(dir, log);
}

// A container's root helper serves every uid, but only those that can reach
// its socket: a directory on the way without search permission for others
// (a 0700 $XDG_RUNTIME_DIR) keeps them out, and their programs would fail.
function warnClosedPath(dir: string, log: Logger): void {
  for (let at = dir; ; at = path.dirname(at)) {
    const mode = fs.statSync(at).mode & 0o777;
    if (!(mode & 0o001)) {
      log.warn(`programs of other users cannot reach this helper: ${at} is mode ${mode.toString(8)}; run 'chmod o+x ${at}' or set BIA_SOCKET to a path under /run or /tmp`);
      return;
    }
    if (at === path.dirname(at)) return;
  }
}

// A listening socket at socketPath: its descriptor, or an error with the
// errno's name as its code, as Node's own listen reports it.
function listenAt(socketPath: string): number {
  try {
    return listenStream(socketPath);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.errno === 'number') e.code = getSystemErrorName(-e.errno);
    throw e;
  }
}

/** A listening socket at socketPath; `locked` when it took STATE's lock to replace a stale socket there. */
export async function listenOnPath(socketPath: string, log: Logger, access: SocketAccess, state: StateStore): Promise<{ fd: number; locked: boolean }> {
  prepareDirectory(socketPath, access, log);
  const listening = await listenOrReplaceStale(socketPath, log, state);
  fs.chmodSync(socketPath, access === 'own' ? 0o600 : 0o666);
  return listening;
}

// Clients look for the helper at socketPath; a socket systemd made elsewhere
// would serve nobody, so say so.
export function checkInheritedFd(fd: number, socketPath: string, log: Logger): void {
  if (!isListening(fd)) throw new Error(`cannot serve the socket systemd passed as fd ${fd}: it is not a listening stream socket`);
  const bound = unixSocketPath(fd);
  if (!bound) throw new Error(`the socket systemd passed as fd ${fd} is not a Unix socket with a path`);
  if (bound !== socketPath) log.warn(`systemd's socket is ${bound}, but programs look for the helper at ${socketPath}; make ListenStream= in bia-helper.socket and the socket setting agree`);
}

// A socket file left by a helper that died is stale: nobody accepts on it.
// One that takes no connection now (its backlog is full) or answers late
// has a live listener: a busy helper, not to be replaced. Helpers racing
// to replace the same stale file take the state lock first, so that only
// one removes it, and never the file a winner just made.
async function listenOrReplaceStale(socketPath: string, log: Logger, state: StateStore): Promise<{ fd: number; locked: boolean }> {
  try {
    return { fd: listenAt(socketPath), locked: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw new CliError(`cannot listen on ${socketPath}: ${(err as Error).message}`, EXIT_CONFIG);
  }
  try {
    await request(socketPath, { type: MsgType.Hello, id: 0 });
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (isBusy(err)) throw new HelperRunningError(socketPath);
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ECONNREFUSED' && code !== 'ENOENT') {
      throw new CliError(`${socketPath} is in use but does not answer as a bia helper (${(err as Error).message}); remove it if nothing should be listening there`, EXIT_HELPER_UNAVAILABLE);
    }
    state.lock();
    log.info(`removing stale socket ${socketPath}`);
    fs.rmSync(socketPath, { force: true });
    try {
      return { fd: listenAt(socketPath), locked: true };
    } catch (err) {
      await state.close();
      throw err;
    }
  }
  throw new HelperRunningError(socketPath);
}

/** Stops listening (the connections are closed with SERVING, or FD itself before it serves) and removes the socket file. */
export function closeListener(serving: { close(): void } | undefined, fd: number, socketFile: string | undefined): void {
  if (serving) serving.close();
  else fs.closeSync(fd);
  if (socketFile) fs.rmSync(socketFile, { force: true });
}
