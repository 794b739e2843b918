// Where the helper's socket and state live (docs/protocol.md, Transport).
import os from 'node:os';
import path from 'node:path';

type Env = NodeJS.ProcessEnv;

// The pieces of the socket path rule below, which the native launcher
// follows too (scripts/gen-contract.mjs gives them to it).
/** The directory bia makes in $XDG_RUNTIME_DIR. */
export const RUNTIME_DIR_NAME = 'bia';
/** The directory bia makes in the temporary directory, followed by the uid. */
export const TMP_DIR_PREFIX = 'bia-';
/** The socket's name in either. */
export const SOCKET_NAME = 'helper.sock';

/** The helper's datagram socket for USE and RELEASE is the stream socket's path followed by this (docs/protocol.md, "Reports as datagrams"). */
export const USE_SOCKET_SUFFIX = '.use';

/** The path of the datagram socket beside the helper socket SOCKET. */
export function useSocketPath(socket: string): string {
  return socket + USE_SOCKET_SUFFIX;
}

/** Where a shared helper (`bia helper --system`) listens by default, and bia looks for one. */
export const SYSTEM_SOCKET = '/run/bia/helper.sock';
/** Where a shared helper keeps its mappings when systemd gives it no STATE_DIRECTORY. */
export const SYSTEM_STATE_DIR = '/var/lib/bia';

// The XDG base directory spec says relative values must be ignored.
function absolute(value: string | undefined): string | undefined {
  return value && path.isAbsolute(value) ? value : undefined;
}

/** $BIA_SOCKET, else $XDG_RUNTIME_DIR/bia/helper.sock, else $TMPDIR/bia-$UID/helper.sock. */
export function socketPath(env: Env = process.env): string {
  if (env.BIA_SOCKET) return env.BIA_SOCKET;
  const runtime = absolute(env.XDG_RUNTIME_DIR);
  if (runtime) return path.join(runtime, RUNTIME_DIR_NAME, SOCKET_NAME);
  return path.join(os.tmpdir(), `${TMP_DIR_PREFIX}${process.getuid!()}`, SOCKET_NAME);
}

/** $XDG_STATE_HOME/bia, else ~/.local/state/bia: the helper's log file lives here. */
export function stateDir(env: Env = process.env): string {
  const state = absolute(env.XDG_STATE_HOME) ?? path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'bia');
}

/** A shared helper's state: systemd's StateDirectory= (the first of $STATE_DIRECTORY), else /var/lib/bia. */
export function systemStateDir(env: Env = process.env): string {
  return absolute(env.STATE_DIRECTORY?.split(':')[0]) ?? SYSTEM_STATE_DIR;
}

export function helperLogPath(env: Env = process.env): string {
  return path.join(stateDir(env), 'helper.log');
}
