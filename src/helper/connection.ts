// One client connection: admitted or refused, then its frames (cut out in
// the addon: stream-conns.ts) decoded, each request handed to the
// dispatcher, and the replies written back in request order, a turn's
// replies in one write after that turn's journal write.
import type { Logger } from '../log.js';
import { peerGroups, type PeerCredentials } from '../native.js';
import { encodeBadVersion } from '../wire/frames.js';
import { ProtocolError, Status, isNotification, type Request } from '../wire/messages.js';
import { encodeReply } from '../wire/replies.js';
import { decodeRequest } from '../wire/requests.js';
import type { Held } from './acknowledge.js';
import type { Admitted, Gate } from './admission.js';
import type { Caller } from './quota.js';
import type { Link, LinkEvents } from './stream-conns.js';

/** What a connection asks of the rest of the helper (dispatch.ts). */
export interface Handler {
  /** A caller was let in: its process is seen and its table made. */
  admitted(caller: Caller): void;
  /** The reply to a request: made, held for the journal write, or waiting (DNS). */
  answer(req: Request, caller: Caller): Buffer | Held | Promise<Buffer>;
  /** USE and RELEASE, which get no reply. */
  notified(req: Request, caller: Caller): void;
  /** The reply held for the journal write, now that it is done. */
  settled(held: Held, caller: Caller): Buffer;
  /** Before a turn's replies leave: the journal writes, and the log lines held. */
  flush(): void;
}

export interface ConnectionTimes {
  /** Connections silent this long are closed. */
  idleTimeoutMs: number;
  /** A frame begun must be complete this soon (slow-loris clients). */
  frameTimeoutMs: number;
}

// Requests of one connection answered but not yet written out: past this,
// the helper stops reading from it until the client reads its replies.
const MAX_IN_FLIGHT = 64;

// A user the helper does not serve gets one clear answer, DENIED to its
// first request, and the connection is closed: no request is carried out.
function deny(link: Link, frameTimeoutMs: number): LinkEvents {
  let answered = false;
  link.timeout(frameTimeoutMs);
  return {
    frames: (bytes) => {
      if (answered) return;
      answered = true;
      link.write([encodeReply({ type: bytes.readUInt8(5), id: bytes.readUInt32BE(8), status: Status.Denied })], () => {});
      link.end();
    },
    bad: () => answered || link.destroy(),
    end: () => answered || link.destroy(),
    closed: () => {},
  };
}

const IGNORED: LinkEvents = { frames: () => {}, bad: () => {}, end: () => {}, closed: () => {} };

/** A new connection: refused, or served for the caller the gate admits. */
export function accept(link: Link, peer: PeerCredentials | Error, gate: Gate, handler: Handler, times: ConnectionTimes, log: Logger): LinkEvents {
  const admission = gate.admit(peer, () => peerGroups(link.fd));
  if ('denied' in admission) return deny(link, times.frameTimeoutMs);
  if ('closed' in admission) {
    link.destroy();
    return IGNORED;
  }
  handler.admitted(admission.caller);
  return serve(link, admission, handler, log);
}

function serve(link: Link, { caller, left }: Admitted, handler: Handler, log: Logger): LinkEvents {
  // Replies leave in request order. Most are made at once (a Buffer); one
  // that waits for DNS is a Promise, and the replies behind it wait too.
  // No promise is made for a reply that needs none: at tens of thousands of
  // requests a second, the promise chain was a good part of the CPU spent
  // per request.
  const queue: (Buffer | Held | Promise<Buffer>)[] = [];
  let waiting = false;
  let inFlight = 0;
  let closing = false;
  // The replies of one turn of the event loop leave in one write, after
  // the journal write of the mappings they hand out: one journal write for
  // all connections' replies of the turn (the first release makes it). A
  // held reply is settled only then: TRY_AGAIN if its mapping's write failed.
  let batch: (Buffer | Held)[] = [];
  const release = () => {
    handler.flush();
    if (batch.length === 0) return;
    const out = batch.map((item) => (Buffer.isBuffer(item) ? item : handler.settled(item, caller)));
    batch = [];
    link.write(out, () => {
      inFlight -= out.length;
      if (inFlight < MAX_IN_FLIGHT && !closing) link.resume();
    });
  };
  const write = (item: Buffer | Held) => {
    if (batch.length === 0) setImmediate(release);
    batch.push(item);
  };
  const drain = () => {
    while (queue.length > 0) {
      const head = queue[0];
      if (head instanceof Promise) {
        if (!waiting) {
          waiting = true;
          void head.then((buf) => {
            queue[0] = buf;
            waiting = false;
            drain();
          });
        }
        return;
      }
      queue.shift();
      if (link.writable) write(head);
    }
    if (!closing) return;
    release();
    link.end();
  };
  const send = (reply: Buffer | Held | Promise<Buffer>) => {
    if (++inFlight >= MAX_IN_FLIGHT) link.pause();
    queue.push(reply);
  };
  const hangUp = (why: string) => {
    if (closing) return;
    log.debug(`closing a client connection: ${why}`);
    closing = true;
  };
  const received = (bytes: Buffer) => {
    for (let at = 0; at < bytes.length; ) {
      const frame = bytes.subarray(at, (at += bytes.readUInt32BE(at) + 4));
      const decoded = decode(frame);
      if ('error' in decoded) {
        send(decoded.error);
        return hangUp(decoded.why);
      }
      if (isNotification(decoded.request)) handler.notified(decoded.request, caller);
      else send(handler.answer(decoded.request, caller));
    }
  };
  return {
    frames: (bytes) => {
      if (closing) return;
      received(bytes);
      drain();
    },
    // No frame boundary is left to answer at.
    bad: (length) => {
      hangUp(`frame length ${length} out of range`);
      drain();
    },
    end: () => {
      hangUp('the client has no more requests');
      drain();
    },
    closed: (why) => {
      left();
      if (why) log.debug(`closing a client connection: ${why}`);
    },
  };
}

type Decoded = { request: Request } | { error: Buffer; why: string };

function decode(frame: Buffer): Decoded {
  try {
    return { request: decodeRequest(frame) };
  } catch (err) {
    const type = frame.readUInt8(5);
    const id = frame.readUInt32BE(8);
    const badVersion = err instanceof ProtocolError && err.status === Status.BadVersion;
    const error = badVersion ? encodeBadVersion(type, id) : encodeReply({ type, id, status: Status.BadRequest });
    return { error, why: (err as Error).message };
  }
}
