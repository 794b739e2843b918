// Socket activation (sd_listen_fds(3)): systemd (bia-helper.socket, written
// by `bia install --user`) creates the listening socket and starts the
// helper on the first connection, passing the socket as fd 3 with
// LISTEN_PID set to the helper's pid and LISTEN_FDS to the number of fds.

/** The first fd systemd passes (SD_LISTEN_FDS_START). */
const FIRST_FD = 3;

export class ListenFdsError extends Error {}

/**
 * The listening socket passed to this process, or undefined when none was
 * (no LISTEN_PID, or one meant for another process, as sd_listen_fds does).
 * Takes the variables out of env either way, so that no process the helper
 * might start believes the fds are meant for it.
 */
export function inheritedListener(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | undefined {
  const { LISTEN_PID: listenPid, LISTEN_FDS: listenFds } = env;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  if (listenPid === undefined || listenPid !== String(pid)) return undefined;
  if (!/^[0-9]+$/.test(listenFds ?? '') || Number(listenFds) < 1) {
    throw new ListenFdsError(`LISTEN_FDS=${listenFds ?? ''}: expected the number of sockets systemd passed (1)`);
  }
  if (Number(listenFds) > 1) {
    throw new ListenFdsError(`LISTEN_FDS=${listenFds}: the helper listens on one socket; give bia-helper.socket a single ListenStream=`);
  }
  return FIRST_FD;
}

