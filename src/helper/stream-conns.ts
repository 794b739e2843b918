// The helper's client connections as the addon serves them
// (native/streamconns.cc): accepted, read, cut into frames and written in
// C, and reported here in one call per wake-up of the event loop. A client
// costs a small object (its Link) instead of a net.Socket, whose garbage
// set the helper's tail latency (bench/shortfalls.md).
import { getSystemErrorName } from 'node:util';
import { serveStream, type Closable, type PeerCredentials, type StreamEngine, type StreamEvents } from '../native.js';

/** One client connection, as connection.ts drives it. */
export interface Link {
  /** Its descriptor, for what the addon reads on demand (SO_PEERGROUPS). */
  readonly fd: number;
  /** False once ended or closed: replies are not written any more. */
  readonly writable: boolean;
  /** The frames leave in one write; `done` runs once the kernel has taken them. */
  write(frames: Buffer[], done: () => void): void;
  /** No more replies: shut once they are out, closed once the client is done too. */
  end(): void;
  destroy(): void;
  pause(): void;
  resume(): void;
  /** Closed after ms without a byte either way (the helper's idle timeout until changed). */
  timeout(ms: number): void;
}

/** What a connection hears. */
export interface LinkEvents {
  /** Whole frames, one after the other, in one buffer. */
  frames(bytes: Buffer): void;
  /** A frame whose length is out of range: nothing after it is read. */
  bad(length: number): void;
  /** The client will send nothing more. */
  end(): void;
  /** The connection is gone; WHY says why, when it is worth a debug line. */
  closed(why: string | undefined): void;
}

/** A new connection, with its peer's credentials (SO_PEERCRED) or why they could not be read. */
export type Opened = (link: Link, peer: PeerCredentials | Error) => LinkEvents;

// Event kinds and reasons, as native/streamconns.cc numbers them.
const OPEN = 0, DATA = 1, BAD = 2, END = 3, DRAINED = 4, CLOSED = 5;
const REASONS = [undefined, 'it was idle too long', 'a frame was not completed in time', 'failed', undefined];

class StreamLink implements Link {
  ended = false;
  gone = false;
  /** `done` callbacks of writes the kernel has not fully taken yet. */
  private waiting: (() => void)[] = [];

  constructor(
    private readonly engine: StreamEngine,
    readonly id: number,
    readonly fd: number,
  ) {}

  get writable(): boolean {
    return !this.ended && !this.gone;
  }

  write(frames: Buffer[], done: () => void): void {
    if (!this.writable) return;
    if (this.engine.write(this.id, frames) && this.waiting.length === 0) done();
    else this.waiting.push(done);
  }

  drained(): void {
    const done = this.waiting;
    this.waiting = [];
    for (const d of done) d();
  }

  end(): void {
    if (this.gone || this.ended) return;
    this.ended = true;
    this.engine.end(this.id);
  }

  destroy(): void {
    if (!this.gone) this.engine.destroy(this.id);
    this.gone = true;
  }

  pause(): void {
    if (!this.gone) this.engine.pause(this.id);
  }

  resume(): void {
    if (!this.gone) this.engine.resume(this.id);
  }

  timeout(ms: number): void {
    if (!this.gone) this.engine.timeout(this.id, ms);
  }
}

/**
 * Serves the listening socket LISTENFD (now closed with the result): each
 * new connection goes to OPENED, and its events to what OPENED returned.
 */
export function serveLinks(listenFd: number, times: { idleTimeoutMs: number; frameTimeoutMs: number }, opened: Opened): Closable {
  const open = new Map<number, { link: StreamLink; events: LinkEvents }>();
  const onEvents = (ev: StreamEvents) => {
    for (let i = 0; i < ev.length; ) {
      const kind = ev[i++] as number;
      const id = ev[i++] as number;
      if (kind === OPEN) {
        const [fd, pid, uid, gid, err] = ev.slice(i, (i += 5)) as number[];
        const link = new StreamLink(engine, id, fd);
        const peer = err ? new Error(`SO_PEERCRED: ${getSystemErrorName(-err)}`) : { pid, uid, gid };
        open.set(id, { link, events: opened(link, peer) });
        continue;
      }
      const conn = open.get(id);
      if (kind === DATA) conn?.events.frames(ev[i++] as Buffer);
      else if (kind === BAD) conn?.events.bad(ev[i++] as number);
      else if (kind === END) conn?.events.end();
      else if (kind === DRAINED) conn?.link.drained();
      else if (kind === CLOSED) {
        const why = ev[i++] as number;
        const err = ev[i++] as number;
        if (!conn) continue;
        open.delete(id);
        conn.link.gone = true;
        conn.events.closed(err ? getSystemErrorName(-err) : REASONS[why]);
      }
    }
  };
  const engine = serveStream(listenFd, times.idleTimeoutMs, times.frameTimeoutMs, onEvents);
  return {
    close: () => {
      engine.close();
      for (const { link, events } of open.values()) {
        link.gone = true;
        events.closed(undefined);
      }
      open.clear();
    },
  };
}
