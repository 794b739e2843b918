// Address literals as they appear in configuration files and host names.
// ip-address also accepts a CIDR suffix, which is never valid here.
import { Address4, Address6 } from 'ip-address';

/** The canonical text of a plain IPv4 address, or undefined. */
export function plainV4(text: string): string | undefined {
  if (text.includes('/') || !Address4.isValid(text)) return undefined;
  return new Address4(text).correctForm();
}

/** The canonical text of a plain IPv6 address and its scope id ("" if none), or undefined. */
export function plainV6(text: string): { address: string; zone: string } | undefined {
  if (text.includes('/') || !text.includes(':') || !Address6.isValid(text)) return undefined;
  const a = new Address6(text);
  return { address: a.correctForm(), zone: a.zone.replace(/^%/, '') };
}
