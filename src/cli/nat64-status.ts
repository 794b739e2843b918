// The helper's NAT64 prefix for `bia status` (NAT64 message, docs/protocol.md):
// the prefix, how it was learnt and how long it holds.
import { request } from '../client.js';
import { MsgType, NAT64_FOREVER, Nat64Source, Status } from '../wire/messages.js';

export interface Nat64Status {
  /** "rfc7050" (discovered), "config", "none" (discovery found none), "off", "unknown" (not learnt yet). */
  source: 'rfc7050' | 'config' | 'none' | 'off' | 'unknown';
  /** "64:ff9b::/96", or null without one. */
  prefix: string | null;
  /** Seconds until the helper learns it again; null when it never does (config, off) or does not know. */
  ttl: number | null;
}

const SOURCE_NAMES: Record<Nat64Source, Nat64Status['source']> = {
  [Nat64Source.Unknown]: 'unknown',
  [Nat64Source.None]: 'none',
  [Nat64Source.Rfc7050]: 'rfc7050',
  [Nat64Source.Config]: 'config',
  [Nat64Source.Off]: 'off',
};

export async function nat64Status(socket: string, timeoutMs = 1000): Promise<Nat64Status> {
  const reply = await request(socket, { type: MsgType.Nat64, id: 1 }, timeoutMs);
  // A helper older than the NAT64 message answers BAD_REQUEST.
  if (reply.status === Status.BadRequest) throw new Error('the helper is older than this bia and does not say');
  if (reply.status !== Status.Ok || !('nat64' in reply)) throw new Error(`the helper answered NAT64 with ${Status[reply.status]}`);
  const { source, prefix, prefixLen, ttl } = reply.nat64;
  const known = source !== Nat64Source.Unknown && ttl !== NAT64_FOREVER;
  return { source: SOURCE_NAMES[source], prefix: prefixLen ? `${prefix}/${prefixLen}` : null, ttl: known ? ttl : null };
}

/** In words: "2001:db8:64::/96 (RFC 7050 discovery, ipv4only.arpa; learnt again in 3540s)". */
export function nat64Text(n: Nat64Status | Error): string {
  if (n instanceof Error) return `cannot be read (${n.message})`;
  const again = n.ttl === null ? '' : n.ttl > 0 ? `; learnt again in ${n.ttl}s` : '; due to be learnt again at the next use';
  switch (n.source) {
    case 'rfc7050':
      return `${n.prefix} (RFC 7050 discovery, ipv4only.arpa${again})`;
    case 'config':
      return `${n.prefix} (configured)`;
    case 'none':
      return `none (RFC 7050 discovery found no NAT64 prefix${again})`;
    case 'off':
      return 'none (turned off by configuration)';
    case 'unknown':
      return 'not known yet (looked for on an IPv6-only network only)';
  }
}
