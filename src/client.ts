// A minimal client of the helper protocol, for the launcher (is a helper
// answering on this socket?) and for tests. The preload has its own in C.
import { connect } from 'node:net';
import { decodeReply, encodeRequest, FrameReader, type Reply, type Request } from './protocol.js';

/** Sends one request and resolves with the reply; rejects on timeout or a broken helper. */
export function request(socketPath: string, req: Request, timeoutMs = 1000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    const reader = new FrameReader();
    const fail = (err: Error): void => {
      sock.destroy();
      reject(err);
    };
    sock.setTimeout(timeoutMs, () => fail(new Error(`the helper at ${socketPath} did not answer within ${timeoutMs} ms`)));
    sock.on('error', fail);
    sock.on('connect', () => sock.write(encodeRequest(req)));
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
