// NAT64 prefixes and the addresses they make (RFC 6052): a prefix of one
// of six lengths, the IPv4 address embedded after it around the "u" octet,
// and which IPv4 addresses may go behind it. Pure functions of their
// arguments, so that the configuration can validate a prefix and the
// helper compute its answers without either importing the other.
import { Address4, Address6 } from 'ip-address';
import { v4ToBytes, v6FromBytes, v6ToBytes } from '../wire/addresses.js';
import { NAT64_PREFIX_LENGTHS } from '../wire/messages.js';

export type PrefixLength = (typeof NAT64_PREFIX_LENGTHS)[number];

export interface Nat64Prefix {
  /** The prefix's network address, canonical text. */
  network: string;
  length: PrefixLength;
}

// Bits 64..71 of an RFC 6052 address (the "u" octet) are always zero.
const U_OCTET = 8;

export const prefixText = (p: Nat64Prefix) => `${p.network}/${p.length}`;

// Where the four IPv4 bytes go for a prefix length: the byte offsets, skipping the u octet.
function v4Offsets(length: PrefixLength): number[] {
  const offsets: number[] = [];
  for (let at = length / 8; offsets.length < 4; at++) if (at !== U_OCTET) offsets.push(at);
  return offsets;
}

/** The IPv6 address (canonical text) that stands for `v4` behind `prefix` (RFC 6052 2.2). */
export function embed(prefix: Nat64Prefix, v4: string): string {
  const out = v6ToBytes(prefix.network);
  const bytes = v4ToBytes(v4);
  v4Offsets(prefix.length).forEach((at, i) => (out[at] = bytes[i]));
  return v6FromBytes(out);
}

/** The IPv4 address `v6` embeds behind `prefix`, or undefined when `v6` is not one of its addresses. */
export function extract(prefix: Nat64Prefix, v6: string): string | undefined {
  const bytes = v6ToBytes(v6);
  const offsets = v4Offsets(prefix.length);
  const net = v6ToBytes(prefix.network);
  for (let i = 0; i < 16; i++) {
    const inPrefix = i < prefix.length / 8;
    if (inPrefix ? bytes[i] !== net[i] : !offsets.includes(i) && bytes[i] !== 0) return undefined;
  }
  return offsets.map((at) => bytes[at]).join('.');
}

/**
 * A configured prefix ("64:ff9b::/96"), or undefined when the text is not one:
 * an IPv6 network of an RFC 6052 length with no bits set past the length and
 * a zero u octet.
 */
export function parsePrefix(text: string): Nat64Prefix | undefined {
  const m = /^([0-9a-fA-F:.]+)\/(\d+)$/.exec(text);
  if (!m || !Address6.isValid(m[1])) return undefined;
  const length = Number(m[2]) as PrefixLength;
  if (!NAT64_PREFIX_LENGTHS.includes(length)) return undefined;
  const bytes = v6ToBytes(m[1]);
  if (bytes.subarray(length / 8).some((b) => b !== 0) || bytes[U_OCTET] !== 0) return undefined;
  return { network: v6FromBytes(bytes), length };
}

// RFC 6890's special-purpose IPv4 blocks that are not globally reachable;
// RFC 6052 section 3.1 forbids putting them behind the well-known prefix.
const NON_GLOBAL = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3',
].map((net) => new Address4(net));
// Never reachable through any NAT64: this host, link-local, multicast, broadcast, "this network".
const NEVER = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3'].map((net) => new Address4(net));
const WELL_KNOWN_PREFIX = '64:ff9b::/96';

/** Whether a NAT64 with `prefix` can stand in for `v4` (RFC 6052 section 3.1). */
export function translatable(prefix: Nat64Prefix, v4: string): boolean {
  const a = new Address4(v4);
  const excluded = prefixText(prefix) === WELL_KNOWN_PREFIX ? NON_GLOBAL : NEVER;
  return !excluded.some((net) => a.isInSubnet(net));
}
