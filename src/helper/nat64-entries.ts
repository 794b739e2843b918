// Where NAT64 enters the helper's answers (docs/protocol.md, kind NAT64):
// on an IPv6-only network with a known NAT64 prefix, a real IPv4 address
// with no IPv6 partner is reached at the address the prefix makes of it.
// Such an entry is a pure function of the address and the prefix, so the
// address mapper keeps no state for it.
import { embed, extract, translatable } from '../mapping/nat64-prefix.js';
import { Kind, type Entry } from '../wire/messages.js';
import type { Nat64, Nat64State } from './nat64.js';
import type { Network } from './netdetect.js';

export interface Nat64Context {
  detector: { current(): Network };
  nat64: Nat64;
  pool: { contains(v4: string): boolean };
  now?: () => number;
}

/** How long a RESOLVE may wait for a discovery under way (ms); a resolve takes that long anyway. */
const RESOLVE_WAIT_MS = 2000;
/** How long a MAP4 may wait (ms): well under the preload's default 800 ms for it. */
const MAP4_WAIT_MS = 300;
/**
 * Seconds a NATIVE entry may be cached on an IPv6-only network without a
 * NAT64: the address is unreachable now, but a NAT64 found later (a new
 * network, a changed resolv.conf) should be used without waiting out a long
 * DNS TTL.
 */
export const UNREACHABLE_TTL = 5;
/** Seconds a NAT64 entry of a literal (MAP4, MAP6) may be cached, within the prefix's own lifetime. */
const LITERAL_TTL = 300;

function remaining(state: Nat64State, now: number): number {
  return state.until === Infinity ? Infinity : Math.max(1, Math.ceil((state.until - now) / 1000));
}

function entryFor(v4: string, state: Nat64State, ttl: number, now: number): Entry | undefined {
  if (!state.prefix || !translatable(state.prefix, v4)) return undefined;
  return { kind: Kind.Nat64, v4, v6: embed(state.prefix, v4), ttl: Math.min(ttl, remaining(state, now)) };
}

/**
 * RESOLVE family 4: NATIVE entries become NAT64 entries where that reaches
 * them. Entries with nothing to translate come back at once, not as a
 * promise, so that the helper answers such a RESOLVE without a promise chain.
 */
export function nat64Entries(entries: Entry[], ctx: Nat64Context): Entry[] | Promise<Entry[]> {
  if (!entries.some((e) => e.kind === Kind.Native) || ctx.detector.current() !== 'ipv6-only') return entries;
  return translated(entries, ctx);
}

async function translated(entries: Entry[], ctx: Nat64Context): Promise<Entry[]> {
  const state = await ctx.nat64.prefix(RESOLVE_WAIT_MS);
  const now = (ctx.now ?? Date.now)();
  return entries.map((e) => {
    if (e.kind !== Kind.Native || ctx.pool.contains(e.v4)) return e;
    return entryFor(e.v4, state, e.ttl, now) ?? { ...e, ttl: Math.min(e.ttl, UNREACHABLE_TTL) };
  });
}

/** MAP4 of an address the mapper does not know (an IPv4 literal): its NAT64 entry, if it has one. */
export async function nat64Map4(v4: string, ctx: Nat64Context): Promise<Entry | undefined> {
  if (ctx.pool.contains(v4) || ctx.detector.current() !== 'ipv6-only') return undefined;
  const state = await ctx.nat64.prefix(MAP4_WAIT_MS);
  return entryFor(v4, state, LITERAL_TTL, (ctx.now ?? Date.now)());
}

/** MAP6 of an address behind the NAT64 prefix (a reply's source): the IPv4 address it stands for. */
export function nat64Map6(v6: string, ctx: Nat64Context): Entry | undefined {
  const state = ctx.nat64.peek();
  const v4 = state?.prefix && extract(state.prefix, v6);
  if (!v4 || !state) return undefined;
  return entryFor(v4, state, LITERAL_TTL, (ctx.now ?? Date.now)());
}
