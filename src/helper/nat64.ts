// NAT64 (RFC 6146) as a complement to BIA (draft introduction): on an
// IPv6-only network with a NAT64, an IPv4-only peer is reached at the IPv6
// address that embeds its IPv4 address in the network's NAT64 prefix
// (RFC 6052). The prefix comes from the configuration or is discovered the
// RFC 7050 way: the AAAA records a DNS64 synthesizes for ipv4only.arpa embed
// the well-known addresses 192.0.0.170 and 192.0.0.171, and where they sit
// gives the prefix and its length. The address arithmetic of a prefix is
// mapping/nat64-prefix.ts.
import { v6FromBytes, v6ToBytes } from '../wire/addresses.js';
import { NAT64_FOREVER, NAT64_PREFIX_LENGTHS, Nat64Source, type Nat64Body } from '../wire/messages.js';
import { extract, prefixText, type Nat64Prefix, type PrefixLength } from '../mapping/nat64-prefix.js';
import type { Logger } from '../log.js';
import type { DnsSession, DnsRecord } from './resolver.js';

export const DISCOVERY_NAME = 'ipv4only.arpa';
const WELL_KNOWN = ['192.0.0.170', '192.0.0.171'];

// The prefix part of `v6` for `length`, everything after it zero.
function cut(v6: string, length: PrefixLength): Nat64Prefix {
  const bytes = v6ToBytes(v6);
  bytes.fill(0, length / 8);
  return { network: v6FromBytes(bytes), length };
}

/**
 * The prefixes the ipv4only.arpa answer shows (RFC 7050 section 3): every
 * position where a well-known address sits. A prefix that happens to
 * contain 192.0.0.170 at another position is told apart by requiring the
 * same prefix to hold for both well-known addresses when both are answered.
 */
export function prefixesFromAnswer(addresses: string[]): Nat64Prefix[] {
  const found = new Map<string, { prefix: Nat64Prefix; wkas: Set<string> }>();
  for (const v6 of addresses) {
    for (const length of NAT64_PREFIX_LENGTHS) {
      const prefix = cut(v6, length);
      const v4 = extract(prefix, v6);
      if (!v4 || !WELL_KNOWN.includes(v4)) continue;
      const key = prefixText(prefix);
      const seen = found.get(key) ?? { prefix, wkas: new Set() };
      seen.wkas.add(v4);
      found.set(key, seen);
    }
  }
  const all = [...found.values()];
  const both = all.filter((f) => f.wkas.size === WELL_KNOWN.length);
  return (both.length ? both : all).map((f) => f.prefix);
}

// ---- discovery ------------------------------------------------------------

/** How long a prefix or its absence is believed (seconds), whatever the DNS TTL said. */
export const MIN_TTL = 60;
export const MAX_TTL = 86_400;
/** After no conclusive answer (timeout, SERVFAIL): ask again this soon (seconds). */
export const RETRY_TTL = 10;
/** After a conclusive "no NAT64" (NXDOMAIN, no AAAA): ask again after this (seconds). */
export const ABSENT_TTL = 300;

export type Nat64Setting = 'auto' | 'off' | Nat64Prefix;

export interface Nat64State {
  prefix: Nat64Prefix | undefined;
  /** Where it came from, for logs and status. */
  source: 'config' | 'off' | 'rfc7050' | 'none';
  /** Until when (ms since the epoch) this holds. */
  until: number;
}

export interface Nat64Options {
  setting: Nat64Setting;
  /** A DNS session against the host's current servers. */
  dns: () => DnsSession;
  /** Changes whenever the host's DNS configuration does: a new one makes the learnt prefix stale. */
  dnsConfig: () => unknown;
  log?: Logger;
  now?: () => number;
  /** Give up on a discovery after this long (ms). */
  deadlineMs?: number;
}

const WIRE_SOURCE: Record<Nat64State['source'], Nat64Source> = {
  none: Nat64Source.None,
  rfc7050: Nat64Source.Rfc7050,
  config: Nat64Source.Config,
  off: Nat64Source.Off,
};

const clampTtl = (ttl: number) => Math.min(MAX_TTL, Math.max(MIN_TTL, ttl));

/**
 * The network's NAT64 prefix: the configured one, or the one RFC 7050
 * discovery found, kept for its TTL, learnt again when the network or the
 * DNS configuration changes (forget()).
 */
export class Nat64 {
  private state: Nat64State | undefined;
  private pending: Promise<Nat64State> | undefined;
  private generation = 0;
  private learntWith: unknown;
  private readonly now: () => number;

  constructor(private readonly options: Nat64Options) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The prefix now known. Unknown (at start, after a network change or a
   * new resolv.conf): learnt first, waiting at most `waitMs`. Past its TTL:
   * the old answer, while a new one is learnt in the background.
   */
  async prefix(waitMs = Infinity): Promise<Nat64State> {
    const fixed = this.fixed();
    if (fixed) return fixed;
    if (this.state && this.learntWith === this.options.dnsConfig()) {
      if (this.state.until <= this.now()) void this.learn();
      return this.state;
    }
    const learning = this.learn();
    if (waitMs === Infinity) return learning;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Nat64State>((resolve) => {
      timer = setTimeout(() => resolve({ prefix: undefined, source: 'none', until: 0 }), waitMs);
    });
    try {
      return await Promise.race([learning, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The network changed: what was learnt may not hold any more. */
  forget(): void {
    this.generation++;
    this.state = undefined;
    this.pending = undefined;
  }

  /** What is known now, without asking (status, logs). */
  peek(): Nat64State | undefined {
    return this.fixed() ?? this.state;
  }

  /**
   * What is known now, as `bia status` shows it (NAT64 reply): where the
   * prefix came from and the seconds until it is learnt again (0: due, at
   * the next connection that needs it).
   */
  status(): Nat64Body {
    const state = this.peek();
    const source = state ? WIRE_SOURCE[state.source] : Nat64Source.Unknown;
    const ttl = !state ? 0 : state.until === Infinity ? NAT64_FOREVER : Math.max(0, Math.ceil((state.until - this.now()) / 1000));
    return { source, prefix: state?.prefix?.network ?? '::', prefixLen: state?.prefix?.length ?? 0, ttl };
  }

  private fixed(): Nat64State | undefined {
    const { setting } = this.options;
    if (setting === 'off') return { prefix: undefined, source: 'off', until: Infinity };
    if (setting !== 'auto') return { prefix: setting, source: 'config', until: Infinity };
    return undefined;
  }

  private learn(): Promise<Nat64State> {
    if (this.pending) return this.pending;
    const generation = this.generation;
    const config = this.options.dnsConfig();
    const failed = (err: Error): Nat64State => {
      this.options.log?.warn(`NAT64 discovery failed: ${err.message}`);
      return { prefix: undefined, source: 'none', until: this.now() + RETRY_TTL * 1000 };
    };
    this.pending = this.discover().catch(failed).then((state) => {
      if (generation === this.generation) {
        this.report(state);
        this.state = state;
        this.learntWith = config;
        this.pending = undefined;
      }
      return state;
    });
    return this.pending;
  }

  private report(state: Nat64State): void {
    const before = this.state?.prefix;
    const now = state.prefix;
    if (before && now && prefixText(before) === prefixText(now)) return;
    if (now) this.options.log?.info(`NAT64 prefix ${prefixText(now)} (RFC 7050: ${DISCOVERY_NAME})`);
    else if (before || !this.state) this.options.log?.info(`no NAT64 found (${DISCOVERY_NAME} has no AAAA record): IPv4-only peers are unreachable on an IPv6-only network`);
  }

  private async discover(): Promise<Nat64State> {
    const session = this.options.dns();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.options.deadlineMs ?? 5000)));
    try {
      const outcome = await Promise.race([session.query(DISCOVERY_NAME, 'AAAA'), deadline]);
      const at = this.now();
      if (!outcome || (outcome.kind !== 'ok' && outcome.kind !== 'nxdomain' && outcome.kind !== 'nodata')) {
        return { prefix: undefined, source: 'none', until: at + RETRY_TTL * 1000 };
      }
      const records: DnsRecord[] = outcome.kind === 'ok' ? outcome.records : [];
      const prefixes = prefixesFromAnswer(records.map((r) => r.address));
      if (prefixes.length === 0) return { prefix: undefined, source: 'none', until: at + ABSENT_TTL * 1000 };
      if (prefixes.length > 1) this.options.log?.info(`${DISCOVERY_NAME} shows ${prefixes.length} NAT64 prefixes (${prefixes.map(prefixText).join(', ')}); using the first`);
      const ttl = clampTtl(Math.min(...records.map((r) => r.ttl)));
      return { prefix: prefixes[0], source: 'rfc7050', until: at + ttl * 1000 };
    } finally {
      clearTimeout(timer);
      session.cancel();
    }
  }
}
