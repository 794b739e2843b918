// Requests: the preload encodes these, the helper decodes them
// (docs/protocol.md, "Requests").
import { v4FromBytes, v4ToBytes, v6FromBytes, v6ToBytes } from './addresses.js';
import { frame, expectBody, name, parseHeader } from './frames.js';
import { MAX_USES, MsgType, PROTOCOL_VERSION, ProtocolError, Status, type Request } from './messages.js';

export function encodeRequest(req: Request): Buffer {
  switch (req.type) {
    case MsgType.Hello:
    case MsgType.Nat64:
      return frame(req.type, Status.Ok, req.id, Buffer.alloc(0));
    case MsgType.Resolve: {
      const nameBytes = Buffer.from(req.name, 'latin1');
      return frame(req.type, Status.Ok, req.id, Buffer.concat([Buffer.from([req.family, nameBytes.length]), nameBytes]));
    }
    case MsgType.Map4:
    case MsgType.Name4:
    case MsgType.Synth:
      return frame(req.type, Status.Ok, req.id, v4ToBytes(req.v4));
    case MsgType.Map6:
      return frame(req.type, Status.Ok, req.id, v6ToBytes(req.v6));
    case MsgType.Use:
    case MsgType.Release:
      if (req.v4s.length < 1 || req.v4s.length > MAX_USES) throw new ProtocolError(`${MsgType[req.type]} needs 1..${MAX_USES} addresses`);
      return frame(req.type, Status.Ok, req.id, Buffer.concat([Buffer.from([req.v4s.length]), ...req.v4s.map(v4ToBytes)]));
    case MsgType.Table: {
      const body = Buffer.alloc(4);
      body.writeUInt32BE(req.offset >>> 0);
      return frame(req.type, Status.Ok, req.id, body);
    }
  }
}

export function decodeRequest(buf: Buffer): Request {
  const h = parseHeader(buf);
  if (h.version !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${h.version} is not supported`, Status.BadVersion);
  if (h.status !== 0) throw new ProtocolError('request with non-zero status');
  switch (h.type) {
    case MsgType.Hello:
      expectBody(h.body, 0, 'HELLO');
      return { type: MsgType.Hello, id: h.id };
    case MsgType.Resolve: {
      if (h.body.length < 3) throw new ProtocolError('RESOLVE body too short');
      const family = h.body.readUInt8(0);
      if (family !== 4 && family !== 6) throw new ProtocolError(`RESOLVE family ${family} is not 4 or 6`);
      const len = h.body.readUInt8(1);
      expectBody(h.body, 2 + len, 'RESOLVE');
      return { type: MsgType.Resolve, id: h.id, family, name: name(h.body.subarray(2), 'name') };
    }
    case MsgType.Map4:
      expectBody(h.body, 4, 'MAP4');
      return { type: MsgType.Map4, id: h.id, v4: v4FromBytes(h.body) };
    case MsgType.Map6:
      expectBody(h.body, 16, 'MAP6');
      return { type: MsgType.Map6, id: h.id, v6: v6FromBytes(h.body) };
    case MsgType.Name4:
      expectBody(h.body, 4, 'NAME4');
      return { type: MsgType.Name4, id: h.id, v4: v4FromBytes(h.body) };
    case MsgType.Synth:
      expectBody(h.body, 4, 'SYNTH');
      return { type: MsgType.Synth, id: h.id, v4: v4FromBytes(h.body) };
    case MsgType.Use:
    case MsgType.Release: {
      const count = h.body.length ? h.body.readUInt8(0) : 0;
      if (count < 1) throw new ProtocolError(`${MsgType[h.type]} with no address`);
      expectBody(h.body, 1 + 4 * count, MsgType[h.type]);
      const v4s = Array.from({ length: count }, (_, i) => v4FromBytes(h.body.subarray(1 + 4 * i)));
      return { type: h.type, id: h.id, v4s };
    }
    case MsgType.Table:
      expectBody(h.body, 4, 'TABLE');
      return { type: MsgType.Table, id: h.id, offset: h.body.readUInt32BE(0) };
    case MsgType.Nat64:
      expectBody(h.body, 0, 'NAT64');
      return { type: MsgType.Nat64, id: h.id };
    default:
      throw new ProtocolError(`unknown message type ${h.type}`);
  }
}
