// Synthesized IPv6 addresses for IPv4-only peers of IPv6 programs (draft
// section 5.1). The format is the IPv4-mapped prefix ::ffff:0:0/96 (shanti
// section 2): a dual-stack AF_INET6 socket carries it over IPv4 natively, so
// the preload needs no mapping table and no round trip to connect to one.
// See docs/architecture.md, "IPv6 programs on IPv4-only networks".
import { Address4 } from 'ip-address';
import { v6FromBytes, v6ToBytes } from '../protocol.js';

const MAPPED_PREFIX = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

/** The synthesized IPv6 address (canonical text) standing for `v4`. */
export function synthesizeV6(v4: string): string {
  return v6FromBytes(Buffer.concat([MAPPED_PREFIX, Buffer.from(new Address4(v4).toArray())]));
}

/**
 * The IPv4 address a synthesized `v6` stands for, or undefined if it is not
 * one. `v6` is canonical text (as decoded from the wire), where every
 * IPv4-mapped address starts with "::ffff:": the rest are turned away
 * without parsing.
 */
export function synthesizedV4(v6: string): string | undefined {
  if (!v6.startsWith('::ffff:')) return undefined;
  const bytes = v6ToBytes(v6);
  if (!bytes.subarray(0, 12).equals(MAPPED_PREFIX)) return undefined;
  return Array.from(bytes.subarray(12)).join('.');
}
