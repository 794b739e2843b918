// The helper protocol, version 1: the TypeScript half of docs/protocol.md.
// The C half is preload/include/bia_protocol.h; both are tested against
// test/vectors/protocol.json.
import { isIPv4 } from 'node:net';

export const PROTOCOL_VERSION = 1;
export const HEADER_SIZE = 12;
export const MAX_FRAME = 4096;
export const MAX_NAME = 253;
export const MAX_ENTRIES = 32;
const ENTRY_SIZE = 25;
/** Addresses one USE or RELEASE carries at most. */
export const MAX_USES = 255;
// TABLE reply: pool figures, total, next, count; a row without its name.
const TABLE_HEAD_SIZE = 21;
const ROW_SIZE = 38;
// NAT64 reply: source, prefix, prefix length, ttl.
const NAT64_SIZE = 22;
/** A NAT64 reply's ttl for a setting that never runs out (configured, off). */
export const NAT64_FOREVER = 0xffffffff;

export enum MsgType {
  Hello = 1,
  Resolve = 2,
  Map4 = 3,
  Map6 = 4,
  Name4 = 5,
  /** Notification, no reply: sockets of the sender started using these mappings. */
  Use = 6,
  /** Notification, no reply: sockets of the sender stopped using these mappings. */
  Release = 7,
  /** A page of the mapping table, for `bia status`. */
  Table = 8,
  Synth = 9,
  /** The NAT64 prefix the helper uses and how it learnt it, for `bia status`. */
  Nat64 = 10,
}

export enum Status {
  Ok = 0,
  NotFound = 1,
  NoData = 2,
  TryAgain = 3,
  PoolExhausted = 4,
  BadRequest = 5,
  BadVersion = 6,
  Internal = 7,
  /** The calling process or user reached its allocation quota or rate. */
  Quota = 8,
  /** The helper does not serve the caller's user (a shared helper's allow list). */
  Denied = 9,
}

export enum Kind {
  Native = 1,
  Paired = 2,
  Pool = 3,
  Synthetic = 4,
  Nat64 = 5,
}

/** Network modes as they travel on the wire (HELLO reply). */
export enum WireNetwork {
  None = 0,
  Dual = 1,
  Ipv6Only = 2,
  Ipv4Only = 3,
}

/** How the helper knows its NAT64 prefix, or why it has none (NAT64 reply). */
export enum Nat64Source {
  /** Not learnt yet: no discovery has ended on this network (or none was needed: not IPv6-only). */
  Unknown = 0,
  /** RFC 7050 discovery ended without a prefix: no NAT64 on this network. */
  None = 1,
  /** Learnt by RFC 7050 discovery (ipv4only.arpa). */
  Rfc7050 = 2,
  /** Configured (nat64 setting). */
  Config = 3,
  /** NAT64 turned off by configuration. */
  Off = 4,
}

/** How the helper synthesizes IPv6 addresses for IPv4-only peers (HELLO reply). */
export enum SynthFormat {
  Mapped = 1,
  Prefix = 2,
  M46a = 3,
  Pool = 4,
}

/** One IPv4 <-> IPv6 correspondence; addresses in their canonical text form. */
export interface Entry {
  kind: Kind;
  v4: string;
  v6: string;
  ttl: number;
}

export type Request =
  | { type: MsgType.Hello; id: number }
  | { type: MsgType.Resolve; id: number; family: 4 | 6; name: string }
  | { type: MsgType.Map4; id: number; v4: string }
  | { type: MsgType.Map6; id: number; v6: string }
  | { type: MsgType.Name4; id: number; v4: string }
  | { type: MsgType.Synth; id: number; v4: string }
  | { type: MsgType.Use | MsgType.Release; id: number; v4s: string[] }
  | { type: MsgType.Table; id: number; offset: number }
  | { type: MsgType.Nat64; id: number };

/** Requests the helper answers with nothing (docs/protocol.md, "Notifications"). */
export const isNotification = (req: Request): boolean => req.type === MsgType.Use || req.type === MsgType.Release;

export interface HelloBody {
  network: WireNetwork;
  pool: string;
  poolLen: number;
  ttl: number;
  synth: SynthParams;
}

/** The synthesis format and its parameters (docs/protocol.md, HELLO). */
export interface SynthParams {
  format: SynthFormat;
  /** The IPv6 prefix (canonical text): ::ffff:0:0 for Mapped, the M46A prefix without the plane ID for M46a. */
  prefix: string;
  prefixLen: number;
  /** M46A plane ID; 0 for the other formats. */
  plane: number;
}

/** What a 7-byte HELLO body (a helper older than the synthesis fields) means. */
export const MAPPED_SYNTH: SynthParams = { format: SynthFormat.Mapped, prefix: '::ffff:0:0', prefixLen: 96, plane: 0 };

const HELLO_V1_SIZE = 7;
const HELLO_SIZE = 29;

export interface ResolveBody {
  canon: string;
  entries: Entry[];
}

/** One row of the mapping table (TABLE reply). Times in seconds. */
export interface TableRow extends Omit<Entry, 'ttl'> {
  age: number;
  idle: number;
  uses: number;
  inUse: number;
  /** Empty when the mapping was made for no name. */
  name: string;
}

export interface TableBody {
  /** Addresses the pool can hand out at all, how many stand for a peer now, how many wait out their quarantine. */
  poolSize: number;
  poolUsed: number;
  poolQuarantined: number;
  /** Rows in the whole table, and the offset of the page after this one (= total on the last page). */
  total: number;
  next: number;
  rows: TableRow[];
}

export interface Nat64Body {
  source: Nat64Source;
  /** The prefix (canonical text) and its length; '::' and 0 without one. */
  prefix: string;
  prefixLen: number;
  /** Seconds until the helper learns it again; 0 when unknown or already due; NAT64_FOREVER when it never does. */
  ttl: number;
}

export type Reply =
  | { type: MsgType; id: number; status: Exclude<Status, Status.Ok> }
  | { type: MsgType.Hello; id: number; status: Status.Ok; hello: HelloBody }
  | { type: MsgType.Resolve; id: number; status: Status.Ok; resolve: ResolveBody }
  | { type: MsgType.Map4 | MsgType.Map6 | MsgType.Synth; id: number; status: Status.Ok; entry: Entry }
  | { type: MsgType.Name4; id: number; status: Status.Ok; name: string }
  | { type: MsgType.Table; id: number; status: Status.Ok; table: TableBody }
  | { type: MsgType.Nat64; id: number; status: Status.Ok; nat64: Nat64Body };

/** Thrown for any frame that does not follow docs/protocol.md. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly status: Status = Status.BadRequest,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

// ---- addresses -------------------------------------------------------------

// Node's isIPv4 accepts exactly the dotted quad (no leading zeros, no
// shorthand), so the four numbers are the split.
export function v4ToBytes(text: string): Buffer {
  const out = Buffer.allocUnsafe(4);
  writeV4(text, out, 0);
  return out;
}

function writeV4(text: string, out: Buffer, at: number): void {
  if (!isIPv4(text)) throw new ProtocolError(`not an IPv4 address: ${text}`);
  let octet = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      out[at++] = octet; // '.'
      octet = 0;
    } else octet = octet * 10 + (c - 48);
  }
  out[at] = octet;
}

export function v4FromBytes(buf: Buffer): string {
  return `${buf[0]}.${buf[1]}.${buf[2]}.${buf[3]}`;
}

// IPv6 text is validated and put in canonical form (RFC 5952, the same
// text ip-address's correctForm() gives) by Node's own URL parser, whose
// host serializer is exactly that: parsing with ip-address took about half
// of the helper's CPU per request (bench/README.md). Between canonical
// text and bytes there are only eight hex groups and one "::".

/** The canonical text of an IPv6 address (no zone, no prefix), or undefined. */
export function canonicalV6(text: string): string | undefined {
  if (!text.includes(':') || /[^0-9a-fA-F:.]/.test(text)) return undefined;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

// The eight groups of the address being parsed or formatted.
const groups = new Uint16Array(8);

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1; // a-f, A-F
}

/**
 * Parses the plain hex forms ("2001:db8::1"; at most one "::") into
 * `groups`, in one pass without allocating. False for anything else, valid
 * or not: an embedded IPv4 part, say, which the caller sends through the
 * full parser.
 */
function parseHex(text: string): boolean {
  const n = text.length;
  let i = 0;
  let count = 0;
  let gap = -1; // groups before the "::"
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let value = 0;
    let digits = 0;
    for (let d = hexDigit(text.charCodeAt(i)); d >= 0 && i < n; d = hexDigit(text.charCodeAt(++i))) {
      value = value * 16 + d;
      digits++;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = value;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58 || ++i === n) return false; // ':' and more after it
    if (text.charCodeAt(i) !== 58) continue;
    if (gap >= 0) return false;
    gap = count;
    i++;
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  const after = count - gap;
  groups.copyWithin(8 - after, gap, count);
  groups.fill(0, gap, 8 - after);
  return true;
}

/** Writes the IPv6 address `text` as four 32-bit words (the helper's table keeps them so) into `out` at `at`; false when it is not an IPv6 address. */
export function v6ToWords(text: string, out: Uint32Array, at = 0): boolean {
  if (!parseHex(text)) {
    const canonical = canonicalV6(text);
    if (canonical === undefined || !parseHex(canonical)) return false;
  }
  for (let w = 0; w < 4; w++) out[at + w] = ((groups[2 * w] << 16) | groups[2 * w + 1]) >>> 0;
  return true;
}

/** The canonical text of the four words of `words` at `at`. */
export function v6FromWords(words: Uint32Array, at = 0): string {
  for (let w = 0; w < 4; w++) {
    groups[2 * w] = words[at + w] >>> 16;
    groups[2 * w + 1] = words[at + w] & 0xffff;
  }
  // The first longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    if (j > i) i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      text += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== best + bestLen) text += ':';
    text += hexGroup(groups[i]);
  }
  return text;
}

// Hex without leading zeros, two table lookups per group instead of a
// Number.prototype.toString(16) each.
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_SHORT = Array.from({ length: 256 }, (_, i) => i.toString(16));

function hexGroup(g: number): string {
  return g > 0xff ? HEX_SHORT[g >>> 8] + HEX_BYTE[g & 0xff] : HEX_SHORT[g];
}

// Conversions on the hot path go through four 32-bit words: no URL parser
// for the plain hex forms, and no string splitting to write bytes.
const words = new Uint32Array(4);

export function v6ToBytes(text: string): Buffer {
  const out = Buffer.allocUnsafe(16);
  writeV6(text, out, 0);
  return out;
}

function writeV6(text: string, out: Buffer, at: number): void {
  if (!v6ToWords(text, words)) throw new ProtocolError(`not an IPv6 address: ${text}`);
  for (let w = 0; w < 4; w++) out.writeUInt32BE(words[w], at + 4 * w);
}

export function v6FromBytes(buf: Buffer): string {
  for (let w = 0; w < 4; w++) words[w] = buf.readUInt32BE(4 * w);
  return v6FromWords(words);
}

// ---- frames ----------------------------------------------------------------

function frame(type: MsgType, status: Status, id: number, body: Buffer, version = PROTOCOL_VERSION): Buffer {
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

interface Header {
  version: number;
  type: number;
  status: number;
  id: number;
  body: Buffer;
}

function parseHeader(buf: Buffer): Header {
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

function name(bytes: Buffer, what: string): string {
  if (bytes.length < 1 || bytes.length > MAX_NAME) throw new ProtocolError(`${what} length ${bytes.length} out of range`);
  if (bytes.includes(0)) throw new ProtocolError(`${what} contains NUL`);
  return bytes.toString('latin1');
}

function expectBody(body: Buffer, size: number, what: string): void {
  if (body.length !== size) throw new ProtocolError(`${what} body is ${body.length} bytes, expected ${size}`);
}

// ---- requests (the preload encodes these; the helper decodes them) ---------

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

// ---- replies (the helper encodes these; the preload decodes them) ----------

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
/** The NAT64 prefix lengths RFC 6052 section 2.2 allows. */
export const NAT64_PREFIX_LENGTHS = [32, 40, 48, 56, 64, 96] as const;

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

/** A reply frame the helper sends when the request's version is not its own. */
export function encodeBadVersion(type: number, id: number): Buffer {
  return frame(type, Status.BadVersion, id, Buffer.alloc(0));
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

/**
 * Why a format and its prefix length and plane ID cannot work together, or
 * undefined: /96 for the mapped and prefix formats (IPv4 in the last 32
 * bits), an M46A prefix of at most 96 bits with the plane ID fitting the
 * bits between it and the IPv4 address, a pool prefix leaving room for at
 * least 4 addresses.
 */
export function synthProblem(format: number, prefixLen: number, plane: number): string | undefined {
  switch (format) {
    case SynthFormat.Mapped:
    case SynthFormat.Prefix:
      return prefixLen === 96 ? undefined : `the ${SynthFormat[format].toLowerCase()} format needs a /96 prefix, not /${prefixLen}`;
    case SynthFormat.M46a:
      if (prefixLen > 96) return `an M46A prefix must be at most /96, not /${prefixLen}`;
      return prefixLen >= 64 && plane >= 2 ** (96 - prefixLen) ? `plane ID ${plane} does not fit in the ${96 - prefixLen} bits after a /${prefixLen}` : undefined;
    case SynthFormat.Pool:
      return prefixLen <= 126 ? undefined : `a pool prefix must be at most /126, not /${prefixLen}`;
    default:
      return `unknown synthesis format ${format}`;
  }
}

// ---- stream framing ----------------------------------------------------------

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
