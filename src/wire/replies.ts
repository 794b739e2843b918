// Replies: the helper encodes these, the preload decodes them
// (docs/protocol.md, "Replies").
import { v4FromBytes, v4ToBytes, v6FromBytes, v6ToBytes, writeV4, writeV6 } from './addresses.js';
import { expectBody, frame, name, parseHeader } from './frames.js';
import {
  HEADER_SIZE,
  Kind,
  MAPPED_SYNTH,
  MAX_ENTRIES,
  MAX_FRAME,
  MsgType,
  NAT64_FOREVER,
  NAT64_PREFIX_LENGTHS,
  Nat64Source,
  PROTOCOL_VERSION,
  ProtocolError,
  Status,
  synthProblem,
  WireNetwork,
  type Entry,
  type Nat64Body,
  type Reply,
  type SynthParams,
  type TableBody,
  type TableRow,
} from './messages.js';

const ENTRY_SIZE = 25;
// TABLE reply: pool figures, total, next, count; a row without its name.
const TABLE_HEAD_SIZE = 21;
const ROW_SIZE = 38;
// NAT64 reply: source, prefix, prefix length, ttl.
const NAT64_SIZE = 22;
const HELLO_V1_SIZE = 7;
const HELLO_SIZE = 29;

function encodeEntry(e: Entry): Buffer {
  const out = Buffer.allocUnsafe(ENTRY_SIZE);
  out.writeUInt8(e.kind, 0);
  writeV4(e.v4, out, 1);
  writeV6(e.v6, out, 5);
  out.writeUInt32BE(e.ttl >>> 0, 21);
  return out;
}

function decodeEntry(buf: Buffer): Entry {
  const kind = buf.readUInt8(0);
  if (kind < Kind.Native || kind > Kind.Nat64) throw new ProtocolError(`unknown entry kind ${kind}`);
  return { kind, v4: v4FromBytes(buf.subarray(1, 5)), v6: v6FromBytes(buf.subarray(5, 21)), ttl: buf.readUInt32BE(21) };
}

export function encodeReply(rep: Reply): Buffer {
  if (rep.status !== Status.Ok) return frame(rep.type, rep.status, rep.id, Buffer.alloc(0));
  if ('hello' in rep) {
    const { hello } = rep;
    const body = Buffer.alloc(HELLO_SIZE);
    body.writeUInt8(hello.network, 0);
    v4ToBytes(hello.pool).copy(body, 1);
    body.writeUInt8(hello.poolLen, 5);
    body.writeUInt8(Math.min(255, hello.ttl), 6);
    body.writeUInt8(hello.synth.format, 7);
    v6ToBytes(hello.synth.prefix).copy(body, 8);
    body.writeUInt8(hello.synth.prefixLen, 24);
    body.writeUInt32BE(hello.synth.plane >>> 0, 25);
    return frame(rep.type, Status.Ok, rep.id, body);
  }
  if ('resolve' in rep) {
    const { canon, entries } = rep.resolve;
    if (entries.length < 1 || entries.length > MAX_ENTRIES) throw new ProtocolError('RESOLVE reply needs 1..32 entries', Status.Internal);
    const canonBytes = Buffer.from(canon, 'latin1');
    name(canonBytes, 'canonical name');
    return frame(rep.type, Status.Ok, rep.id, Buffer.concat([Buffer.from([entries.length, canonBytes.length]), canonBytes, ...entries.map(encodeEntry)]));
  }
  if ('table' in rep) return frame(rep.type, Status.Ok, rep.id, encodeTable(rep.table));
  if ('nat64' in rep) return frame(rep.type, Status.Ok, rep.id, encodeNat64(rep.nat64));
  if ('name' in rep) {
    const nameBytes = Buffer.from(rep.name, 'latin1');
    name(nameBytes, 'name');
    return frame(rep.type, Status.Ok, rep.id, Buffer.concat([Buffer.from([nameBytes.length]), nameBytes]));
  }
  return frame(rep.type, Status.Ok, rep.id, encodeEntry(rep.entry));
}

function encodeRow(r: TableRow): Buffer {
  const nameBytes = Buffer.from(r.name, 'latin1');
  if (nameBytes.length) name(nameBytes, 'row name');
  const out = Buffer.alloc(ROW_SIZE + nameBytes.length);
  out.writeUInt8(r.kind, 0);
  v4ToBytes(r.v4).copy(out, 1);
  v6ToBytes(r.v6).copy(out, 5);
  [r.age, r.idle, r.uses, r.inUse].forEach((n, i) => out.writeUInt32BE(Math.min(0xffffffff, Math.max(0, Math.floor(n))), 21 + 4 * i));
  out.writeUInt8(nameBytes.length, 37);
  nameBytes.copy(out, ROW_SIZE);
  return out;
}

/** Bytes the row takes in a TABLE reply, so the helper can fill a page. */
export const tableRowSize = (r: TableRow): number => ROW_SIZE + Buffer.byteLength(r.name, 'latin1');
/** Room for rows in one TABLE reply. */
export const TABLE_ROOM = MAX_FRAME - HEADER_SIZE - TABLE_HEAD_SIZE;

function encodeTable(t: TableBody): Buffer {
  if (t.rows.length > 255) throw new ProtocolError('TABLE reply with more than 255 rows', Status.Internal);
  const head = Buffer.alloc(TABLE_HEAD_SIZE);
  [t.poolSize, t.poolUsed, t.poolQuarantined, t.total, t.next].forEach((n, i) => head.writeUInt32BE(n >>> 0, 4 * i));
  head.writeUInt8(t.rows.length, 20);
  return Buffer.concat([head, ...t.rows.map(encodeRow)]);
}

function decodeTable(body: Buffer): TableBody {
  if (body.length < TABLE_HEAD_SIZE) throw new ProtocolError('TABLE reply too short');
  const [poolSize, poolUsed, poolQuarantined, total, next] = [0, 1, 2, 3, 4].map((i) => body.readUInt32BE(4 * i));
  const rows: TableRow[] = [];
  let at = TABLE_HEAD_SIZE;
  for (let i = 0; i < body.readUInt8(20); i++) {
    if (body.length < at + ROW_SIZE) throw new ProtocolError('TABLE reply row cut short');
    const kind = body.readUInt8(at);
    if (kind < Kind.Native || kind > Kind.Synthetic) throw new ProtocolError(`unknown entry kind ${kind}`);
    const nameLen = body.readUInt8(at + 37);
    if (body.length < at + ROW_SIZE + nameLen) throw new ProtocolError('TABLE reply row name cut short');
    const [age, idle, uses, inUse] = [0, 1, 2, 3].map((k) => body.readUInt32BE(at + 21 + 4 * k));
    const rowName = nameLen ? name(body.subarray(at + ROW_SIZE, at + ROW_SIZE + nameLen), 'row name') : '';
    rows.push({ kind, v4: v4FromBytes(body.subarray(at + 1)), v6: v6FromBytes(body.subarray(at + 5)), age, idle, uses, inUse, name: rowName });
    at += ROW_SIZE + nameLen;
  }
  if (at !== body.length) throw new ProtocolError('TABLE reply longer than its rows');
  return { poolSize, poolUsed, poolQuarantined, total, next, rows };
}

// Sources that come with a prefix; the others carry none (all zero).
const withPrefix = (source: Nat64Source) => source === Nat64Source.Rfc7050 || source === Nat64Source.Config;

function encodeNat64(n: Nat64Body): Buffer {
  const out = Buffer.alloc(NAT64_SIZE);
  out.writeUInt8(n.source, 0);
  v6ToBytes(n.prefix).copy(out, 1);
  out.writeUInt8(n.prefixLen, 17);
  out.writeUInt32BE(Math.min(NAT64_FOREVER, Math.max(0, Math.ceil(n.ttl))), 18);
  return out;
}

function decodeNat64(body: Buffer): Nat64Body {
  expectBody(body, NAT64_SIZE, 'NAT64 reply');
  const source = body.readUInt8(0);
  if (source > Nat64Source.Off) throw new ProtocolError(`unknown NAT64 source ${source}`);
  const prefix = v6FromBytes(body.subarray(1, 17));
  const prefixLen = body.readUInt8(17);
  if (withPrefix(source) ? !(NAT64_PREFIX_LENGTHS as readonly number[]).includes(prefixLen) : prefixLen !== 0 || prefix !== '::') {
    throw new ProtocolError(`NAT64 reply: prefix ${prefix}/${prefixLen} does not fit source ${Nat64Source[source]}`);
  }
  return { source, prefix, prefixLen, ttl: body.readUInt32BE(18) };
}
export function decodeReply(buf: Buffer): Reply {
  const h = parseHeader(buf);
  if (h.version !== PROTOCOL_VERSION) throw new ProtocolError(`protocol version ${h.version} is not supported`, Status.BadVersion);
  if (h.status > Status.Denied) throw new ProtocolError(`unknown status ${h.status}`);
  // An error reply echoes the request's type, even one the helper did not know.
  if (h.status !== Status.Ok) {
    expectBody(h.body, 0, 'error reply');
    return { type: h.type, id: h.id, status: h.status as Exclude<Status, Status.Ok> };
  }
  if (!(h.type in MsgType) || h.type === MsgType.Use || h.type === MsgType.Release) throw new ProtocolError(`unknown message type ${h.type}`);
  switch (h.type as MsgType) {
    case MsgType.Hello: {
      if (h.body.length !== HELLO_V1_SIZE) expectBody(h.body, HELLO_SIZE, 'HELLO reply');
      const network = h.body.readUInt8(0);
      if (network > WireNetwork.Ipv4Only) throw new ProtocolError(`unknown network ${network}`);
      const poolLen = h.body.readUInt8(5);
      if (poolLen > 32) throw new ProtocolError(`pool prefix length ${poolLen} out of range`);
      const synth = h.body.length === HELLO_V1_SIZE ? MAPPED_SYNTH : decodeSynth(h.body);
      return {
        type: MsgType.Hello,
        id: h.id,
        status: Status.Ok,
        hello: { network, pool: v4FromBytes(h.body.subarray(1, 5)), poolLen, ttl: h.body.readUInt8(6), synth },
      };
    }
    case MsgType.Resolve: {
      if (h.body.length < 2) throw new ProtocolError('RESOLVE reply too short');
      const count = h.body.readUInt8(0);
      const canonLen = h.body.readUInt8(1);
      if (count < 1 || count > MAX_ENTRIES) throw new ProtocolError(`RESOLVE reply count ${count} out of range`);
      expectBody(h.body, 2 + canonLen + count * ENTRY_SIZE, 'RESOLVE reply');
      const canon = name(h.body.subarray(2, 2 + canonLen), 'canonical name');
      const entries: Entry[] = [];
      for (let i = 0; i < count; i++) {
        const at = 2 + canonLen + i * ENTRY_SIZE;
        entries.push(decodeEntry(h.body.subarray(at, at + ENTRY_SIZE)));
      }
      return { type: MsgType.Resolve, id: h.id, status: Status.Ok, resolve: { canon, entries } };
    }
    case MsgType.Name4: {
      if (h.body.length < 1) throw new ProtocolError('NAME4 reply too short');
      expectBody(h.body, 1 + h.body.readUInt8(0), 'NAME4 reply');
      return { type: MsgType.Name4, id: h.id, status: Status.Ok, name: name(h.body.subarray(1), 'name') };
    }
    case MsgType.Table:
      return { type: MsgType.Table, id: h.id, status: Status.Ok, table: decodeTable(h.body) };
    case MsgType.Nat64:
      return { type: MsgType.Nat64, id: h.id, status: Status.Ok, nat64: decodeNat64(h.body) };
    default:
      expectBody(h.body, ENTRY_SIZE, 'MAP reply');
      return { type: h.type as MsgType.Map4 | MsgType.Map6 | MsgType.Synth, id: h.id, status: Status.Ok, entry: decodeEntry(h.body) };
  }
}

/** The synthesis fields of a HELLO body, checked as the C decoder checks them. */
function decodeSynth(body: Buffer): SynthParams {
  const format = body.readUInt8(7);
  const prefixLen = body.readUInt8(24);
  const plane = body.readUInt32BE(25);
  const why = synthProblem(format, prefixLen, plane);
  if (why) throw new ProtocolError(`HELLO reply: ${why}`);
  return { format, prefix: v6FromBytes(body.subarray(8, 24)), prefixLen, plane };
}
