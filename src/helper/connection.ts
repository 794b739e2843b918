// One client connection: admitted or refused, then its frames read, each
// request handed to the dispatcher, and the replies written back in request
// order, a turn's replies in one write after that turn's journal write.
import type net from 'node:net';
import type { Logger } from '../log.js';
import { encodeBadVersion, FrameReader } from '../wire/frames.js';
import { ProtocolError, Status, isNotification, type Request } from '../wire/messages.js';
import { encodeReply } from '../wire/replies.js';
import { decodeRequest } from '../wire/requests.js';
import type { Held } from './acknowledge.js';
import type { Gate } from './admission.js';
import type { Caller } from './quota.js';

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
function deny(socket: net.Socket, frameTimeoutMs: number): void {
  const reader = new FrameReader();
  let answered = false;
  socket.setTimeout(frameTimeoutMs, () => socket.destroy());
  socket.on('end', () => answered || socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    if (answered) return;
    let frame: Buffer | undefined;
    try {
      [frame] = reader.push(chunk);
    } catch {
      return socket.destroy();
    }
    if (!frame) return;
    answered = true;
    socket.end(encodeReply({ type: frame.readUInt8(5), id: frame.readUInt32BE(8), status: Status.Denied }));
  });
}

/** A new connection: refused, or served for the caller the gate admits. */
export function accept(socket: net.Socket, gate: Gate, handler: Handler, times: ConnectionTimes, log: Logger): void {
  socket.on('error', (err) => log.debug(`client: ${err.message}`));
  const admission = gate.admit(socket);
  if ('denied' in admission) return deny(socket, times.frameTimeoutMs);
  if ('closed' in admission) return void socket.destroy();
  handler.admitted(admission.caller);
  serve(socket, admission.caller, handler, times, log);
}

function serve(socket: net.Socket, caller: Caller, handler: Handler, times: ConnectionTimes, log: Logger): void {
  socket.setTimeout(times.idleTimeoutMs, () => socket.destroy());
  const reader = new FrameReader();
  const frameDeadline = deadline(times.frameTimeoutMs, () => {
    log.debug('closing a client connection: a frame was not completed in time');
    socket.destroy();
  });
  socket.on('close', () => frameDeadline.stop());
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
    const out = batch;
    batch = [];
    socket.cork();
    for (const item of out) {
      const buf = Buffer.isBuffer(item) ? item : handler.settled(item, caller);
      if (socket.writable) socket.write(buf, () => --inFlight < MAX_IN_FLIGHT && !closing && socket.resume());
    }
    socket.uncork();
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
      if (socket.writable) write(head);
    }
    if (!closing) return;
    release();
    socket.end();
  };
  const send = (reply: Buffer | Held | Promise<Buffer>) => {
    if (++inFlight >= MAX_IN_FLIGHT) socket.pause();
    queue.push(reply);
  };
  const hangUp = (why: string) => {
    if (closing) return;
    log.debug(`closing a client connection: ${why}`);
    closing = true;
  };
  socket.on('end', () => {
    hangUp('the client has no more requests');
    drain();
  });
  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    received(chunk);
    drain();
  });
  const received = (chunk: Buffer) => {
    let frames: Buffer[];
    try {
      frames = reader.push(chunk);
    } catch (err) {
      return hangUp((err as Error).message); // no frame boundary left to answer at
    }
    if (reader.buffered > 0) frameDeadline.start();
    else frameDeadline.stop();
    for (const frame of frames) {
      const decoded = decode(frame);
      if ('error' in decoded) {
        send(decoded.error);
        return hangUp(decoded.why);
      }
      if (isNotification(decoded.request)) handler.notified(decoded.request, caller);
      else send(handler.answer(decoded.request, caller));
    }
  };
}

// One timer that start() arms only if it is not running yet.
function deadline(ms: number, expire: () => void): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    start: () => void (timer ??= setTimeout(expire, ms)),
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
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
