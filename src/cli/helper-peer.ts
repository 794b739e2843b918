// Who answers on the helper socket: the kernel says (SO_PEERCRED), so bia
// never trusts a pid file that may be stale or forged. A socket systemd
// made (bia-helper.socket) reports the last process that called listen()
// on it: systemd, until the helper it starts for this very connection
// listens on the socket again (Node does, on the fd it is given).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { peerCredentials, type PeerCredentials } from '../native.js';
import { peerRefusal, requireTrusted, UntrustedSocketError, type Trusted } from '../socket-trust.js';
import { listenerHolders } from '../unix-sockets.js';

export interface HelperPeer extends PeerCredentials {
  /** The socket is systemd's (another process holds it too): it stays when the helper ends. */
  activated: boolean;
}

/** As long as bia run waits for a helper it starts itself (ensure-helper.ts). */
const ACTIVATION_TIMEOUT_MS = 5000;
const POLL_MS = 50;

/**
 * The credentials of the helper listening on SOCKETPATH, or undefined when
 * nothing listens there (no socket file, or a stale one). Throws
 * UntrustedSocketError for a socket or listener bia does not trust.
 */
export async function helperPeer(socketPath: string, timeoutMs = 1000): Promise<HelperPeer | undefined> {
  const deadline = Date.now() + ACTIVATION_TIMEOUT_MS;
  const trust = requireTrusted(socketPath);
  if ('absent' in trust) return undefined;
  let listener = await listenerCredentials(socketPath, trust, timeoutMs);
  if (!listener) return undefined;
  const activator = listener.pid;
  while (!isHelper(listener.pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${activator} listens on ${socketPath}, is not a bia helper and started none within ${ACTIVATION_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
    listener = (await listenerCredentials(socketPath, trust, timeoutMs)) ?? listener;
  }
  const helperPid = listener.pid;
  return { ...listener, activated: listenerHolders(socketPath).some((p) => p !== helperPid) };
}

/** `bia helper` however it was started: node .../main.js helper, or bia helper. */
function isHelper(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1, 4).includes('helper');
  } catch {
    return false;
  }
}

function listenerCredentials(socketPath: string, trust: Trusted, timeoutMs: number): Promise<PeerCredentials | undefined> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    sock.setTimeout(timeoutMs, () => {
      sock.destroy();
      reject(new Error(`${socketPath} accepted no connection within ${timeoutMs} ms`));
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(undefined);
      else reject(err);
    });
    sock.on('connect', () => {
      const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
      try {
        const peer = peerCredentials(fd ?? -1);
        const refused = peerRefusal(socketPath, trust, peer);
        if (refused) reject(new UntrustedSocketError(refused));
        else resolve(peer);
      } catch (err) {
        reject(err);
      } finally {
        sock.destroy();
      }
    });
  });
}
