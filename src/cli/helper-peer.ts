// Who answers on the helper socket: the kernel says (SO_PEERCRED), so bia
// never trusts a pid file that may be stale or forged.
import { connect } from 'node:net';
import { peerCredentials, type PeerCredentials } from '../native.js';

/**
 * The credentials of the process listening on SOCKETPATH, or undefined when
 * nothing listens there (no socket file, or a stale one).
 */
export function helperPeer(socketPath: string, timeoutMs = 1000): Promise<PeerCredentials | undefined> {
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
        resolve(peerCredentials(fd ?? -1));
      } catch (err) {
        reject(err);
      } finally {
        sock.destroy();
      }
    });
  });
}
