// The DNS messages the endpoint changes, read and spliced as bytes. An
// answer the ENR adds records to keeps everything the server sent before
// them byte for byte (id, the question's case, flags, CNAME chain and its
// signatures, compression pointers), because only new records are appended
// after the answer section: decoding the whole reply and encoding it again
// (dns-packet) would lose label bytes that are not text and change what a
// validating client hashes. dns-packet encodes the new records themselves.
import packet from 'dns-packet';

export const HEADER = 12;
const TYPE_OPT = 41;
const FLAG_QR = 0x8000;
const FLAG_TC = 0x0200;
const FLAG_AD = 0x0020;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const POINTER = 0xc000;

export const Rcode = { NoError: 0, ServFail: 2, NxDomain: 3 } as const;

interface Name {
  /** Lower-case text, labels joined by dots; undefined when a label holds a dot or a byte that is not printable. */
  text: string | undefined;
  /** Where the name ends in the message (after its terminator or pointer). */
  end: number;
}

export interface Record {
  start: number;
  end: number;
  /** The owner name's offset, for a compression pointer to it. */
  owner: number;
  name: string | undefined;
  type: number;
  cls: number;
  rdata: number;
}

export interface Message {
  id: number;
  flags: number;
  rcode: number;
  opcode: number;
  question: { name: string | undefined; type: number; cls: number; end: number } | undefined;
  questions: number;
  answers: Record[];
  authorities: Record[];
  additionals: Record[];
}

function readName(msg: Buffer, offset: number): Name {
  const labels: string[] = [];
  let at = offset;
  let end = -1;
  let readable = true;
  for (let hops = 0; hops < 128; hops++) {
    if (at >= msg.length) throw new Error('name runs past the message');
    const len = msg[at];
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= msg.length) throw new Error('name runs past the message');
      if (end < 0) end = at + 2;
      at = msg.readUInt16BE(at) & 0x3fff;
      continue;
    }
    if (len & 0xc0) throw new Error('bad label');
    if (len === 0) return { text: readable ? labels.join('.').toLowerCase() : undefined, end: end < 0 ? at + 1 : end };
    const label = msg.subarray(at + 1, at + 1 + len);
    if (label.length < len) throw new Error('name runs past the message');
    readable &&= label.every((b) => b > 0x20 && b < 0x7f && b !== 0x2e && b !== 0x5c);
    labels.push(label.toString('latin1'));
    at += 1 + len;
  }
  throw new Error('compression loop');
}

function readRecords(msg: Buffer, at: number, count: number): { records: Record[]; end: number } {
  const records: Record[] = [];
  for (let i = 0; i < count; i++) {
    const name = readName(msg, at);
    if (name.end + 10 > msg.length) throw new Error('record runs past the message');
    const rdlength = msg.readUInt16BE(name.end + 8);
    const end = name.end + 10 + rdlength;
    if (end > msg.length) throw new Error('record data runs past the message');
    records.push({ start: at, end, owner: at, name: name.text, type: msg.readUInt16BE(name.end), cls: msg.readUInt16BE(name.end + 2), rdata: name.end + 10 });
    at = end;
  }
  return { records, end: at };
}

/** The parts of a DNS message, or undefined when it is not one. */
export function parse(msg: Buffer): Message | undefined {
  try {
    if (msg.length < HEADER) return undefined;
    const flags = msg.readUInt16BE(2);
    const questions = msg.readUInt16BE(4);
    let at = HEADER;
    let question: Message['question'];
    for (let i = 0; i < questions; i++) {
      const name = readName(msg, at);
      if (name.end + 4 > msg.length) return undefined;
      question ??= { name: name.text, type: msg.readUInt16BE(name.end), cls: msg.readUInt16BE(name.end + 2), end: name.end + 4 };
      at = name.end + 4;
    }
    const answers = readRecords(msg, at, msg.readUInt16BE(6));
    const authorities = readRecords(msg, answers.end, msg.readUInt16BE(8));
    const additionals = readRecords(msg, authorities.end, msg.readUInt16BE(10));
    return { id: msg.readUInt16BE(0), flags, rcode: flags & 0xf, opcode: (flags >> 11) & 0xf, question, questions, answers: answers.records, authorities: authorities.records, additionals: additionals.records };
  } catch {
    return undefined;
  }
}

/**
 * Where the answer's chain of CNAMEs starting at the question ends: the
 * final owner's text and an offset a compression pointer may name.
 */
export function chase(msg: Buffer, m: Message): { name: string | undefined; offset: number } {
  let owner = { name: m.question?.name, offset: HEADER };
  for (let hops = 0; hops < 16; hops++) {
    const cname = m.answers.find((r) => r.type === 5 && r.name !== undefined && r.name === owner.name);
    if (!cname) break;
    owner = { name: readName(msg, cname.rdata).text, offset: cname.rdata };
  }
  return owner;
}

/** The largest UDP reply the query allows: its EDNS payload size (RFC 6891), else 512. */
export function udpLimit(q: Message): number {
  const opt = q.additionals.find((r) => r.type === TYPE_OPT);
  return opt ? Math.max(512, opt.cls) : 512;
}

/** The records of `type` owned by `name` in the answer section. */
export const answersOf = (m: Message, name: string | undefined, type: number) => m.answers.filter((r) => r.type === type && r.name === name);

function encodeRecord(ownerOffset: number, type: 'A' | 'AAAA' | 'PTR', ttl: number, data: string): Buffer {
  // Owner by pointer: the name is already in the message, as the server spelt it.
  // dns-packet encodes it as the only answer of a message owned by the root
  // (one byte after the header), which the pointer replaces.
  const message = packet.encode({ type: 'response', answers: [{ name: '.', type, class: 'IN', ttl, data } as packet.Answer] });
  const pointer = Buffer.alloc(2);
  pointer.writeUInt16BE(POINTER | ownerOffset);
  return Buffer.concat([pointer, message.subarray(HEADER + 1)]);
}

/**
 * The reply with records appended to its answer section, owned by the name
 * at `ownerOffset`. Its authority section (the SOA of a NODATA answer, the
 * NSEC records that proved there was no record) no longer applies and goes;
 * of the additional section only the OPT record stays (others may point into
 * what went). AD is cleared: the new records cannot validate (RFC 6147 5.5).
 */
export function withAnswers(reply: Buffer, m: Message, ownerOffset: number, type: 'A' | 'AAAA', records: { data: string; ttl: number }[]): Buffer {
  const answerEnd = m.answers.length ? m.answers[m.answers.length - 1].end : (m.question?.end ?? HEADER);
  const opt = m.additionals.filter((r) => r.type === TYPE_OPT);
  const header = Buffer.from(reply.subarray(0, HEADER));
  header.writeUInt16BE(m.flags & ~FLAG_AD, 2);
  header.writeUInt16BE(m.answers.length + records.length, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(opt.length, 10);
  const added = records.map((r) => encodeRecord(ownerOffset, type, r.ttl, r.data));
  return Buffer.concat([header, reply.subarray(HEADER, answerEnd), ...added, ...opt.map((r) => reply.subarray(r.start, r.end))]);
}

/**
 * A reply of ours to `query` (already parsed as `q`): its id, question and
 * RD bit, RA set, the given rcode and answers owned by the question's name,
 * and an OPT record when the query had one (RFC 6891 7), echoing its DO bit.
 */
export function reply(query: Buffer, q: Message, rcode: number, answers: { type: 'PTR'; data: string; ttl: number }[] = []): Buffer {
  const header = Buffer.alloc(HEADER);
  const queryOpt = q.additionals.find((r) => r.type === TYPE_OPT);
  header.writeUInt16BE(q.id, 0);
  header.writeUInt16BE(FLAG_QR | FLAG_RA | (q.flags & FLAG_RD) | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  header.writeUInt16BE(queryOpt ? 1 : 0, 10);
  const opt = queryOpt ? ednsOpt(query, queryOpt) : [];
  return Buffer.concat([header, query.subarray(HEADER, q.question!.end), ...answers.map((a) => encodeRecord(HEADER, a.type, a.ttl, a.data)), ...opt]);
}

// Our OPT: payload size 1232 (the DNS flag day's), the query's DO bit, no options.
function ednsOpt(query: Buffer, opt: Record): Buffer[] {
  const record = Buffer.alloc(11);
  record.writeUInt16BE(TYPE_OPT, 1);
  record.writeUInt16BE(1232, 3);
  record.writeUInt16BE(query.readUInt16BE(opt.rdata - 4) & 0x8000, 7);
  return [record];
}

/** `reply` cut to fit a UDP limit: header with TC set, the question, the OPT record (RFC 2181 9, RFC 6891 7). */
export function truncate(reply: Buffer, m: Message): Buffer {
  const opt = m.additionals.filter((r) => r.type === TYPE_OPT);
  const header = Buffer.from(reply.subarray(0, HEADER));
  header.writeUInt16BE(m.flags | FLAG_TC, 2);
  header.writeUInt16BE(0, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(opt.length, 10);
  return Buffer.concat([header, reply.subarray(HEADER, m.question?.end ?? HEADER), ...opt.map((r) => reply.subarray(r.start, r.end))]);
}

export const TYPE = { A: 1, PTR: 12, AAAA: 28 } as const;
export const CLASS_IN = 1;
