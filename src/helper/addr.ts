// Address literals as they appear in configuration files and host names.
// ip-address also accepts a CIDR suffix, which is never valid here. The
// common forms take a fast path first (Node's own parsers, see
// protocol.ts's canonicalV6): every RESOLVE asks whether its name is one.
import { isIPv4 } from 'node:net';
import { Address4, Address6 } from 'ip-address';
import { canonicalV6 } from '../wire/addresses.js';

/** The canonical text of a plain IPv4 address, or undefined. */
export function plainV4(text: string): string | undefined {
  if (isIPv4(text)) return text; // a strict dotted quad is its own canonical text
  // ip-address's grammar has only digits and dots besides a CIDR suffix:
  // host names (every RESOLVE asks) are turned away without its parser.
  if (!/^[\d.]+$/.test(text) || !Address4.isValid(text)) return undefined;
  return new Address4(text).correctForm();
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
