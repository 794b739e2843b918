// Frames of the helper protocol (docs/protocol.md, "Framing"): the
// 12-byte header, the checks every body shares, and a stream split into
// frames.
import { HEADER_SIZE, MAX_FRAME, MAX_NAME, PROTOCOL_VERSION, ProtocolError, Status, type MsgType } from './messages.js';

export function frame(type: MsgType, status: Status, id: number, body: Buffer, version = PROTOCOL_VERSION): Buffer {
  const out = Buffer.alloc(HEADER_SIZE + body.length);
  out.writeUInt32BE(8 + body.length, 0);
  out.writeUInt8(version, 4);
  out.writeUInt8(type, 5);
  out.writeUInt16BE(status, 6);
  out.writeUInt32BE(id >>> 0, 8);
  body.copy(out, HEADER_SIZE);
  if (out.length > MAX_FRAME) throw new ProtocolError('frame too large', Status.Internal);
  return out;
}

export interface Header {
  version: number;
  type: number;
  status: number;
  id: number;
  body: Buffer;
}

export function parseHeader(buf: Buffer): Header {
  if (buf.length < HEADER_SIZE) throw new ProtocolError('frame shorter than its header');
  const length = buf.readUInt32BE(0);
  if (length < 8 || length + 4 > MAX_FRAME) throw new ProtocolError(`frame length ${length} out of range`);
  if (length + 4 !== buf.length) throw new ProtocolError('frame length does not match its data');
  return {
    version: buf.readUInt8(4),
    type: buf.readUInt8(5),
    status: buf.readUInt16BE(6),
    id: buf.readUInt32BE(8),
    body: buf.subarray(HEADER_SIZE),
  };
}

export function name(bytes: Buffer, what: string): string {
  if (bytes.length < 1 || bytes.length > MAX_NAME) throw new ProtocolError(`${what} length ${bytes.length} out of range`);
  if (bytes.includes(0)) throw new ProtocolError(`${what} contains NUL`);
  return bytes.toString('latin1');
}

export function expectBody(body: Buffer, size: number, what: string): void {
  if (body.length !== size) throw new ProtocolError(`${what} body is ${body.length} bytes, expected ${size}`);
}

/** A reply frame the helper sends when the request's version is not its own. */
export function encodeBadVersion(type: number, id: number): Buffer {
  return frame(type, Status.BadVersion, id, Buffer.alloc(0));
}

/**
 * Splits a byte stream into frames. Rejects a length prefix out of range as
 * soon as it arrives, so a hostile peer cannot make the reader buffer more
 * than one maximal frame.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length < 8 || length + 4 > MAX_FRAME) throw new ProtocolError(`frame length ${length} out of range`);
      if (this.pending.length < length + 4) break;
      frames.push(this.pending.subarray(0, length + 4));
      this.pending = this.pending.subarray(length + 4);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get buffered(): number {
    return this.pending.length;
  }
}
