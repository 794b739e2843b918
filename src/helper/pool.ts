// The IPv4 addresses the address mapper hands out for IPv6 peers (draft 2.3,
// 6.3, 6.4).
import { DEFAULT_POOL } from '../config/values.js';
import { v4Network, v4ToInt, v4ToText } from '../wire/addresses.js';
import { MinHeap } from './heap.js';
import { hostIPv4, type HostIPv4, type Route4 } from './netdetect.js';

// Free addresses the host blocks (a route, an own address) are set aside and
// re-checked later; an allocation looks at no more of them than this, so its
// cost stays bounded when a VPN covers much of the pool.
const MAX_RECHECKS = 16;

/** An address released to the pool, not to be handed out before `until` (ms). */
export interface Quarantined {
  v4: string;
  until: number;
}

// Routes shorter than this are default-route splits (OpenVPN's "def1" adds
// 0.0.0.0/1 and 128.0.0.0/1), not networks whose addresses are in use.
const MIN_NETWORK_PREFIX = 8;

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (~0 << (32 - prefixLength)) >>> 0;
}

/**
 * A set of pool addresses as a bitmap over base .. base+size-1, allocated
 * at the first add, so that a pool that hands nothing out costs nothing.
 */
class Bits {
  private bits: Uint8Array | undefined;
  /** Bits set, for `bia status`. */
  count = 0;

  constructor(
    private readonly size: number,
    private readonly base: number,
  ) {}

  has(n: number): boolean {
    const i = n - this.base;
    return this.bits !== undefined && (this.bits[i >>> 3] & (1 << (i & 7))) !== 0;
  }

  add(n: number): void {
    const i = n - this.base;
    this.bits ??= new Uint8Array(Math.ceil(this.size / 8));
    if (!this.has(n)) this.count++;
    this.bits[i >>> 3] |= 1 << (i & 7);
  }

  delete(n: number): void {
    const i = n - this.base;
    if (!this.bits || !this.has(n)) return;
    this.count--;
    this.bits[i >>> 3] &= ~(1 << (i & 7));
  }
}

/**
 * Addresses are handed out in three stages, each O(1) amortised (the
 * quarantine O(log n)): never-used addresses in order (one pass of a cursor),
 * then released addresses whose quarantine is over, oldest release first, so
 * a released address is reused as late as possible (clients may still cache
 * it, virtual-ipv6-connectivity section 7).
 */
export class Pool {
  readonly network: string;
  readonly prefixLength: number;
  /** The first address, as a number. */
  readonly base: number;
  /** Addresses in the pool. */
  readonly size: number;
  // Handed out or quarantined: one bit per pool address, a fixed cost
  // (16 KiB for a /15, 2 MiB for a /8) instead of a Set entry per mapping.
  private readonly used: Bits;
  // Released, in quarantine: the soonest free first.
  private readonly waiting = new MinHeap<{ n: number; until: number }>((q) => q.until);
  // Past quarantine, in release order (Set insertion order).
  private readonly free = new Set<number>();
  // Offsets below the cursor have been offered once; the rest are fresh.
  private cursor = 0;
  // Nothing is handed out before this time: set after a state file was lost,
  // when any address may still be cached by some program.
  private embargoUntil = 0;
  private blocked: { host: HostIPv4; test: (n: number) => boolean } | undefined;

  /** `host` answers a new object whenever the host's addresses or routes change (NetworkDetector.hostIPv4 does: a new view only after a change, or a poll). */
  constructor(
    cidr: string = DEFAULT_POOL,
    private readonly host: () => HostIPv4 = hostIPv4,
  ) {
    const net = v4Network(cidr);
    if (!net) throw new Error(`invalid IPv4 pool ${cidr}: expected a CIDR like ${DEFAULT_POOL}`);
    this.network = net.network;
    this.prefixLength = net.prefixLength;
    this.base = v4ToInt(this.network);
    this.size = 2 ** (32 - this.prefixLength);
    this.used = new Bits(this.size, this.base);
  }

  /** A free address, or undefined when every usable one is taken, quarantined or blocked by the host. */
  allocate(now: number = Date.now()): string | undefined {
    const n = this.allocateNumber(now);
    return n === undefined ? undefined : v4ToText(n);
  }

  /** allocate, the address as a number (v4ToInt). */
  allocateNumber(now: number = Date.now()): number | undefined {
    if (now < this.embargoUntil) return undefined;
    this.embargoUntil = 0; // over: not written to the next snapshot
    this.endQuarantines(now);
    const blocked = this.blockedByHost();
    const n = this.fresh(blocked) ?? this.recycled(blocked);
    if (n === undefined) return undefined;
    this.used.add(n);
    return n;
  }

  /** Gives `v4` back; it is not handed out again before `until` (ms since the epoch). */
  release(v4: string, until = 0): void {
    if (!this.contains(v4)) return;
    const n = v4ToInt(v4);
    if (!this.used.has(n)) return;
    this.waiting.push({ n, until });
  }

  /** Marks `v4` as handed out (recovery from the state file). */
  claim(v4: string): void {
    if (this.contains(v4)) this.used.add(v4ToInt(v4));
  }

  /** Marks `v4` as released but quarantined until `until` (recovery from the state file). */
  quarantine(v4: string, until: number): void {
    this.claim(v4);
    this.release(v4, until);
  }

  get embargoedUntil(): number {
    return this.embargoUntil;
  }

  /** Nothing is handed out before `until`: after a lost state file, any address may be cached somewhere. */
  embargo(until: number): void {
    this.embargoUntil = Math.max(this.embargoUntil, until);
  }

  /** Released addresses still in quarantine (for the state file). */
  quarantined(): Quarantined[] {
    return this.waiting.values().map(({ n, until }) => ({ v4: v4ToText(n), until }));
  }

  /**
   * The host's IPv4 networks that overlap the pool (a LAN or VPN in the same
   * range): their addresses are not handed out, and `whole` says one covers
   * every pool address.
   */
  overlaps(routes: Route4[]): { route: Route4; whole: boolean }[] {
    return routes
      .filter((r) => r.prefixLength >= MIN_NETWORK_PREFIX)
      .flatMap((route) => {
        const net = v4ToInt(route.network);
        const shorter = Math.min(route.prefixLength, this.prefixLength);
        const mask = maskOf(shorter);
        if (((net & mask) >>> 0) !== ((this.base & mask) >>> 0)) return [];
        return [{ route, whole: route.prefixLength <= this.prefixLength }];
      });
  }

  /** Addresses it can hand out at all, handed out now, and waiting out a quarantine (for `bia status`). */
  stats(): { size: number; used: number; quarantined: number } {
    const quarantined = this.waiting.values().length;
    return { size: this.usable(), used: this.used.count - quarantined, quarantined };
  }

  // Every address but the reserved ones (see reserved()): 254 in each /24.
  private usable(): number {
    if (this.size >= 256) return (this.size / 256) * 254;
    let n = 0;
    for (let offset = 0; offset < this.size; offset++) if (!this.reserved(offset, this.base + offset)) n++;
    return n;
  }

  contains(v4: string): boolean {
    return ((v4ToInt(v4) & maskOf(this.prefixLength)) >>> 0) === this.base;
  }

  private endQuarantines(now: number): void {
    for (let top = this.waiting.peek(); top && top.until <= now; top = this.waiting.peek()) {
      this.waiting.pop();
      this.used.delete(top.n);
      this.free.add(top.n);
    }
  }

  // A fresh address the host blocks is set aside with the released ones, to
  // be re-checked once the fresh ones are gone.
  private fresh(blocked: (n: number) => boolean): number | undefined {
    while (this.cursor < this.size) {
      const offset = this.cursor++;
      const n = this.base + offset;
      if (this.used.has(n) || this.reserved(offset, n)) continue;
      if (!blocked(n)) return n;
      this.free.add(n);
    }
    return undefined;
  }

  // Oldest first; one still blocked by the host goes to the back of the line.
  private recycled(blocked: (n: number) => boolean): number | undefined {
    for (let i = 0; i < MAX_RECHECKS; i++) {
      const next = this.free.values().next();
      if (next.done) return undefined;
      const n = next.value;
      this.free.delete(n);
      if (!blocked(n)) return n;
      this.free.add(n);
    }
    return undefined;
  }

  // The pool's network and broadcast addresses, and any x.x.x.0 or x.x.x.255,
  // which classful-minded programs treat as broadcast.
  private reserved(offset: number, n: number): boolean {
    const edge = this.size > 2 && (offset === 0 || offset === this.size - 1);
    return edge || (n & 0xff) === 0 || (n & 0xff) === 0xff;
  }

  // Asked at every allocation so that an address or route that appeared
  // since the last one (a VPN, a new LAN) is respected; the test is rebuilt
  // only when the host's answer is a new one.
  private blockedByHost(): (n: number) => boolean {
    const host = this.host();
    if (this.blocked?.host !== host) this.blocked = { host, test: blockedBy(host) };
    return this.blocked.test;
  }
}

function blockedBy({ addresses, routes }: HostIPv4): (n: number) => boolean {
  const own = new Set(addresses.map(v4ToInt));
  const nets = routes
    .filter((r) => r.prefixLength >= MIN_NETWORK_PREFIX)
    .map((r) => ({ net: v4ToInt(r.network), mask: maskOf(r.prefixLength) }));
  return (n) => own.has(n) || nets.some(({ net, mask }) => ((n & mask) >>> 0) === net);
}
