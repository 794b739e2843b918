// The text format of the helper's state files (docs/mapping-lifecycle.md,
// Persistence): one record per line, each with its own checksum, so a torn
// or damaged line is recognised and the lines around it still count.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { Address4, Address6 } from 'ip-address';
import { Kind, MAX_NAME } from '../wire/messages.js';
import type { EntryRecord } from './mapper.js';
import type { UseRecord } from './usage.js';

/**
 * The format this helper writes: lines checked by CRC-32, and a snapshot
 * sealed by a trailer (its record count and the CRC-32 of everything before
 * it), so that a snapshot cut short, even at a line boundary, or empty is
 * known for damage. Formats 1 (before uses were saved: no 'uses' records)
 * and 2 check lines by SHA-256, format 3 by CRC-32, none has a trailer; they
 * are read as well, so an upgraded helper keeps the mappings of the one before.
 */
export const STATE_FORMAT = 4;
/** The first format whose snapshots end in a trailer. */
export const SEALED_FORMAT = 4;

export type StateRecord =
  | ({ t: 'entry' } & EntryRecord)
  /** A released pool address not to be handed out before `until`. */
  | { t: 'quarantine'; v4: string; until: number }
  /** No pool address is handed out before `until` (a state file was lost). */
  | { t: 'embargo'; until: number }
  /** A pool-format synthesized address for an IPv4 peer (synth.ts): never given to another. */
  | { t: 'synth'; v4: string; v6: string }
  /** How many uses a running process has of a mapping (usage.ts); the last record of a process and mapping counts. */
  | ({ t: 'uses' } & UseRecord);

/** The last line of a snapshot (SEALED_FORMAT on): what came before it, to prove the file whole. */
export interface Trailer {
  t: 'end';
  /** Lines between the header and the trailer. */
  records: number;
  /** CRC-32 (hex) of the file's text before the trailer line. */
  crc: string;
}

/** The first line of a file; `gen` pairs a journal with the snapshot it continues. */
export interface Header {
  t: 'header';
  format: number;
  gen: number;
}

export interface ParsedFile {
  header: Header | undefined;
  records: StateRecord[];
  /** The last line was cut short (a write the crash interrupted): dropped. */
  truncated: boolean;
  /** Why lines were rejected, at most a few, for the log. */
  problems: string[];
  /** Lines rejected (bad checksum, bad record, bad header, a line after the trailer). */
  corrupt: number;
  /** The file ends in a trailer that matches what came before it. */
  sealed: boolean;
}

type Checksum = (line: string) => string;

// The first 32 bits of SHA-256, formats 1 and 2. crypto.hash (Node 20.12)
// is one-shot; createHash serves older Node 20.
const sha256: Checksum =
  typeof crypto.hash === 'function' ? (line) => crypto.hash('sha256', line, 'hex').slice(0, 8) : (line) => crypto.createHash('sha256').update(line).digest('hex').slice(0, 8);

// CRC-32, format 3: a checksum only has to catch a torn or damaged line,
// and every new mapping writes one before its reply leaves; SHA-256 was a
// measurable part of that cost. zlib.crc32 is Node 20.15's; a table serves
// older Node 20.
const crc32Of: (text: string, prev?: number) => number = zlib.crc32 ?? tableCrc32;
const hex = (crc: number) => (crc >>> 0).toString(16).padStart(8, '0');
const crc32: Checksum = (line) => hex(crc32Of(line));

const CHECKSUMS: ReadonlyMap<number, Checksum> = new Map([
  [1, sha256],
  [2, sha256],
  [3, crc32],
  [4, crc32],
]);

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 (zlib's) of the UTF-8 of `text`, going on from `prev`; exported for its test. */
export function tableCrc32(text: string, prev = 0): number {
  let c = ~prev;
  for (const byte of Buffer.from(text)) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return ~c;
}

export function encodeLine(record: StateRecord | Header | Trailer): string {
  const json = JSON.stringify(record);
  return `${crc32(json)} ${json}\n`;
}

/** LINES (a header, then records), then the trailer that seals them as a snapshot. */
export function* sealed(lines: Iterable<string>): Generator<string> {
  let crc = 0;
  let count = -1;
  for (const line of lines) {
    crc = crc32Of(line, crc);
    count++;
    yield line;
  }
  yield encodeLine({ t: 'end', records: Math.max(count, 0), crc: hex(crc) });
}

export function parseFile(text: string): ParsedFile {
  const lines = text.split('\n');
  const tail = lines.pop();
  const parsed: ParsedFile = { header: undefined, records: [], truncated: tail !== '', problems: [], corrupt: 0, sealed: false };
  // The header says which checksum the lines carry; the header line itself,
  // or every line of a file without a valid header, may carry either.
  let intact = anyChecksum;
  let crc = 0;
  lines.forEach((line, i) => {
    const before = crc;
    crc = crc32Of(`${line}\n`, crc);
    const result = decodeLine(line, intact);
    if (typeof result === 'string') return reject(parsed, i + 1, result);
    if (parsed.sealed) return reject(parsed, i + 1, 'a line after the trailer');
    if (isTrailer(result)) {
      parsed.sealed = i === lines.length - 1 && result.records === i - 1 && result.crc === hex(before);
      if (!parsed.sealed) reject(parsed, i + 1, `the trailer does not match the ${i - 1} line(s) before it`);
      return;
    }
    if (i === 0) {
      if (!isHeader(result)) return reject(parsed, 1, 'the first line is not a header');
      const checksum = CHECKSUMS.get(result.format);
      if (!checksum) return reject(parsed, 1, `format ${result.format} is not one of formats ${[...CHECKSUMS.keys()].join(', ')}`);
      parsed.header = result;
      intact = (sum, json) => checksum(json) === sum;
    } else if (isRecord(result)) parsed.records.push(result);
    else reject(parsed, i + 1, 'not a known record');
  });
  return parsed;
}

function reject(parsed: ParsedFile, lineNo: number, why: string): void {
  parsed.corrupt++;
  if (parsed.problems.length < 3) parsed.problems.push(`line ${lineNo}: ${why}`);
}

const anyChecksum = (sum: string, json: string) => crc32(json) === sum || sha256(json) === sum;

function decodeLine(line: string, intact: (sum: string, json: string) => boolean): unknown {
  const match = /^([0-9a-f]{8}) (.*)$/.exec(line);
  if (!match) return 'not a checksummed line';
  if (!intact(match[1], match[2])) return 'checksum mismatch';
  try {
    return JSON.parse(match[2]);
  } catch {
    return 'not JSON';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isTime = (v: unknown) => Number.isFinite(v) && (v as number) >= 0;
const isV4 = (v: unknown) => typeof v === 'string' && !v.includes('/') && Address4.isValid(v);
const isV6 = (v: unknown) => typeof v === 'string' && !v.includes('/') && Address6.isValid(v);
// The same limits the protocol puts on a name, since NAME4 will answer it.
const isName = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= MAX_NAME && !v.includes('\0');

function isTrailer(v: unknown): v is Trailer {
  return isObject(v) && v.t === 'end' && isCount(v.records) && typeof v.crc === 'string';
}

function isHeader(v: unknown): v is Header {
  return isObject(v) && v.t === 'header' && Number.isInteger(v.format) && Number.isInteger(v.gen);
}

// A checksum only proves the line is what was written; this proves that what
// was written is something the mapper can take.
function isRecord(v: unknown): v is StateRecord {
  if (!isObject(v)) return false;
  switch (v.t) {
    case 'entry':
      return (v.kind === Kind.Pool || v.kind === Kind.Paired) && isV4(v.v4) && isV6(v.v6) && isTime(v.ttl) && isTime(v.lastUsed) && isTime(v.cachedUntil) && (v.name === undefined || isName(v.name));
    case 'quarantine':
      return isV4(v.v4) && isTime(v.until);
    case 'embargo':
      return isTime(v.until);
    case 'synth':
      return isV4(v.v4) && isV6(v.v6);
    case 'uses':
      return isCount(v.pid) && (v.pid as number) > 0 && typeof v.start === 'string' && v.start.length > 0 && v.start.length <= 64 && isV4(v.v4) && isCount(v.n);
    default:
      return false;
  }
}
