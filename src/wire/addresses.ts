// Address conversion, in one place: text <-> bytes for the wire, <-> 32-bit
// words for the helper's table, <-> numbers for the pool, and the address
// literals of configuration files and host names. The hot paths are
// hand-written (see canonicalV6); every other form goes through ip-address.
import { isIPv4 } from 'node:net';
import { Address4, Address6 } from 'ip-address';
import { ProtocolError } from './messages.js';

// Node's isIPv4 accepts exactly the dotted quad (no leading zeros, no
// shorthand), so the four numbers are the split.
export function v4ToBytes(text: string): Buffer {
  const out = Buffer.allocUnsafe(4);
  writeV4(text, out, 0);
  return out;
}

export function writeV4(text: string, out: Buffer, at: number): void {
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

export function writeV6(text: string, out: Buffer, at: number): void {
  if (!v6ToWords(text, words)) throw new ProtocolError(`not an IPv6 address: ${text}`);
  for (let w = 0; w < 4; w++) out.writeUInt32BE(words[w], at + 4 * w);
}

export function v6FromBytes(buf: Buffer): string {
  for (let w = 0; w < 4; w++) words[w] = buf.readUInt32BE(4 * w);
  return v6FromWords(words);
}

// Where a lookup's IPv6 address is parsed to (the helper is single-threaded).
const key6 = new Uint32Array(4);

/** The four words of IPv6 address `text` in an array the next call reuses; throws when it is not one. */
export function v6Key(text: string): Uint32Array {
  if (!v6ToWords(text, key6)) throw new Error(`not an IPv6 address: ${text}`);
  return key6;
}

// Every pool allocation converts: the common strict dotted quad (Node's
// isIPv4) is split, anything else goes through ip-address.
/** An IPv4 address as an unsigned 32-bit number; throws when it is none. */
export function v4ToInt(v4: string): number {
  if (!isIPv4(v4)) return Number(new Address4(v4).bigInt());
  const [a, b, c, d] = v4.split('.').map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** The dotted quad of an unsigned 32-bit number. */
export function v4ToText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

// Address literals as they appear in configuration files and host names.
// ip-address also accepts a CIDR suffix, which is never valid here. The
// common forms take the fast paths first: every RESOLVE asks whether its
// name is one.

/** The canonical text of a plain IPv4 address, or undefined. */
export function plainV4(text: string): string | undefined {
  if (isIPv4(text)) return text; // a strict dotted quad is its own canonical text
  // ip-address's grammar has only digits and dots besides a CIDR suffix:
  // host names (every RESOLVE asks) are turned away without its parser.
  if (!/^[\d.]+$/.test(text) || !Address4.isValid(text)) return undefined;
  return new Address4(text).correctForm();
}

/** The network address (canonical text) and prefix length of an IPv4 network such as a pool, "198.18.0.0/15", or undefined. */
export function v4Network(text: string): { network: string; prefixLength: number } | undefined {
  if (!text.includes('/') || !Address4.isValid(text)) return undefined;
  const net = new Address4(text);
  return { network: net.startAddress().correctForm(), prefixLength: net.subnetMask };
}

/** The canonical text of a plain IPv6 address and its scope id ("" if none), or undefined. */
export function plainV6(text: string): { address: string; zone: string } | undefined {
  if (text.includes('/') || !text.includes(':')) return undefined;
  const [bare, zone = ''] = text.split('%', 2);
  const fast = canonicalV6(bare);
  if (fast !== undefined) return { address: fast, zone };
  if (!Address6.isValid(text)) return undefined;
  const a = new Address6(text);
  return { address: a.correctForm(), zone: a.zone.replace(/^%/, '') };
}
