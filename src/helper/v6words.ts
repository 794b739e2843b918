// IPv6 addresses as four 32-bit words, the form the mapper's table keeps
// them in (16 bytes instead of a string of up to 39 characters, which costs
// about 80 bytes on the heap). Text in, canonical text out (RFC 5952, the
// form protocol.ts's canonicalV6 gives: WHATWG URL's serializer).
import { canonicalV6 } from '../protocol.js';

const HEX = /^[0-9a-f]{1,4}$/i;

/**
 * Parses the plain hex forms ("2001:db8::1"; at most one "::") into `out`
 * at `at`. False for anything else, valid or not: an embedded IPv4 part,
 * say, which the caller sends through the full parser.
 */
function parseHex(text: string, out: Uint32Array, at: number): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 1 || halves[1] === '' ? [] : halves[1].split(':');
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return false;
  for (const g of head) if (!HEX.test(g)) return false;
  for (const g of tail) if (!HEX.test(g)) return false;
  const groups = halves.length === 1 ? head : [...head, ...Array<string>(missing).fill('0'), ...tail];
  for (let w = 0; w < 4; w++) out[at + w] = ((parseInt(groups[2 * w], 16) << 16) | parseInt(groups[2 * w + 1], 16)) >>> 0;
  return true;
}

/** Writes `text` as four words into `out` at `at`; false when it is not an IPv6 address. */
export function parseV6(text: string, out: Uint32Array, at = 0): boolean {
  if (parseHex(text, out, at)) return true;
  const canonical = canonicalV6(text);
  return canonical !== undefined && parseHex(canonical, out, at);
}

/** The canonical text of the four words of `words` at `at`. */
export function formatV6(words: Uint32Array, at = 0): string {
  const g = new Array<number>(8);
  for (let w = 0; w < 4; w++) {
    g[2 * w] = words[at + w] >>> 16;
    g[2 * w + 1] = words[at + w] & 0xffff;
  }
  // The first longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((n) => n.toString(16)).join(':');
  if (best < 0) return hex(0, 8);
  return `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}
