// A minimal client of the helper protocol, for the launcher (is a helper
// answering on this socket?) and for tests. The preload has its own in C.
// Nothing is sent on a socket bia does not trust (socket-trust.ts): its
// path is checked before connecting, its listener once connected.
import { connect } from 'node:net';
import { peerCredentials } from './native.js';
import { FrameReader } from './wire/frames.js';
import { type Reply, type Request } from './wire/messages.js';
import { decodeReply } from './wire/replies.js';
import { encodeRequest } from './wire/requests.js';
import { peerRefusal, requireTrusted, UntrustedSocketError } from './socket-trust.js';

/** An error with the code a busy helper gives: EAGAIN (its backlog is full) or ETIMEDOUT (no answer in time). */
function timedOut(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/** Whether ERR says a helper listens but is too busy to take the connection or answer now. */
export function isBusy(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'ETIMEDOUT';
}

/** Sends one request and resolves with the reply; rejects on timeout, a broken helper or an untrusted socket. */
export function request(socketPath: string, req: Request, timeoutMs = 1000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let trust: ReturnType<typeof requireTrusted>;
    try {
      trust = requireTrusted(socketPath);
    } catch (err) {
      return reject(err);
    }
    // Absent: it may appear meanwhile, made by anyone; connect would find it.
    if ('absent' in trust) return reject(Object.assign(new Error(`connect ENOENT ${socketPath}`), { code: 'ENOENT' }));
    const trusted = trust;
    const sock = connect(socketPath);
    const reader = new FrameReader();
    const fail = (err: Error): void => {
      sock.destroy();
      reject(err);
    };
    sock.setTimeout(timeoutMs, () => fail(timedOut(`the helper at ${socketPath} did not answer within ${timeoutMs} ms`)));
    sock.on('error', fail);
    sock.on('connect', () => {
      const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
      let refused: string | undefined;
      try {
        refused = peerRefusal(socketPath, trusted, peerCredentials(fd));
      } catch (err) {
        refused = `refusing the helper socket ${socketPath}: cannot learn who listens on it: ${(err as Error).message}`;
      }
      if (refused) return fail(new UntrustedSocketError(refused));
      sock.write(encodeRequest(req));
    });
    sock.on('data', (chunk) => {
      try {
        const [frame] = reader.push(chunk);
        if (!frame) return;
        sock.destroy();
        resolve(decodeReply(frame));
      } catch (err) {
        fail(err as Error);
      }
    });
    sock.on('end', () => fail(new Error(`the helper at ${socketPath} closed the connection without answering`)));
  });
}
