// The address mapper (draft 2.3): the table of IPv4 <-> IPv6 pairs the
// helper has handed out or learned, and their lifecycle
// (docs/mapping-lifecycle.md): a mapping lives while it is used, expires
// after an idle timeout, and its pool address is handed to another peer only
// after a quarantine, so a program holding a stale address fails cleanly
// instead of reaching a stranger (virtual-ipv6-connectivity section 7).
import { Address4 } from 'ip-address';
import { canonicalV6, Kind, Status, type Entry, type TableRow } from '../protocol.js';
import type { Logger } from '../log.js';
import type { Pool } from './pool.js';
import type { Account } from './quota.js';

export interface MapperEntry extends Entry {
  /** When it was last requested or used (ms since the epoch). */
  lastUsed: number;
  /** Until when some client may cache it: the latest answer's time plus the ttl it carried (ms). */
  cachedUntil: number;
  /** Requests answered with it. */
  uses: number;
  /** Sockets using it now (the preload's use/release reports); never expired or reused while > 0. */
  inUse: number;
  /** The name the entry was made for (NAME4 answers it); none for a bare MAP6. */
  name?: string;
  /** When it was made, or restored after a restart (ms). */
  created: number;
  /** Who its pool address is charged to (quota.ts); none for PAIRED and restored entries. */
  account?: Account;
}

/** A mapping request: what the answer will promise and whom a new pool address is charged to. */
export interface MapRequest {
  /** Seconds the caller will tell its client beyond the entry's own ttl (a DNS record's remaining ttl). */
  ttl?: number;
  /** The name that led to the address. */
  name?: string;
  account?: Account;
}

/** Why no mapping was made. */
export type Refused = Status.PoolExhausted | Status.Quota;

/** What the state file keeps of an entry. */
export type EntryRecord = Pick<MapperEntry, 'kind' | 'v4' | 'v6' | 'ttl' | 'lastUsed' | 'cachedUntil' | 'name'>;

export interface MapperOptions {
  /** Seconds clients may cache a pool entry made without a DNS TTL. */
  poolTtl?: number;
  /** A mapping unused this long expires (ms). */
  idleTimeoutMs?: number;
  /** A pool address is not handed to another peer sooner than this after its last use (ms). */
  quarantineMs?: number;
  /** Told of every entry whose loss in a crash would break a promise made to a client. */
  onRecord?: (entry: MapperEntry) => void;
  log?: Logger;
  now?: () => number;
}

/** The pool TTL when none is given. */
export const DEFAULT_POOL_TTL = 60;
/**
 * A pool of 128k addresses per user is rarely short, so mappings can outlive
 * the address caches of long-running programs (a JVM or a connection pool
 * that resolved once) by far: half an hour of silence.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
/**
 * Five times the pool ttl: covers caches that stretch a ttl (nscd, browsers,
 * resolver libraries rounding up) before an address may mean another peer.
 */
export const DEFAULT_QUARANTINE_MS = 5 * 60_000;

// How many of the least recently used entries one allocation looks at for a
// reusable pool address, and one sweep at for expired entries.
const MAX_STEAL_CANDIDATES = 16;
const DEFAULT_SWEEP_LIMIT = 1000;

// Keys are canonical text, whatever form the DNS library or wire decoder used.
const key4 = (v4: string) => new Address4(v4).correctForm();
// The key is kept as long as the mapping: copied into a flat string of its
// own, because the canonical text is a slice that would keep the parser's
// whole string alive (about 40 bytes a mapping).
const key6 = (v6: string) => {
  const canonical = canonicalV6(v6);
  if (canonical === undefined) throw new Error(`not an IPv6 address: ${v6}`);
  return Buffer.from(canonical, 'latin1').toString('latin1');
};

export class AddressMapper {
  private readonly byV4 = new Map<string, MapperEntry>();
  // The preferred entry for an IPv6 address: a PAIRED one (a real IPv4
  // address) once DNS taught us one, else its POOL entry.
  private readonly byV6 = new Map<string, MapperEntry>();
  // Entries nobody holds (inUse 0), least recently used first: Map keeps
  // insertion order and a use moves an entry to the end. The pool's own are
  // listed apart, so that reuse does not wade through PAIRED entries; each
  // entry is in one list only (a Map entry costs about 40 bytes a mapping).
  private readonly idle = new Map<string, MapperEntry>();
  private readonly idlePool = new Map<string, MapperEntry>();
  // Where the periodic sweep goes on; Map iterators survive deletions.
  private sweepCursor: Iterator<MapperEntry> | undefined;
  private readonly poolTtl: number;
  private readonly idleMs: number;
  private readonly quarantineMs: number;
  private readonly now: () => number;

  constructor(
    readonly pool: Pool,
    private readonly options: MapperOptions = {},
  ) {
    this.poolTtl = options.poolTtl ?? DEFAULT_POOL_TTL;
    this.idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.quarantineMs = options.quarantineMs ?? DEFAULT_QUARANTINE_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * The entry for `v6`, allocating a pool address if there is none; undefined
   * when the pool is exhausted. `ttl` is what the caller will tell its client
   * beyond the entry's own ttl (a DNS record's remaining ttl). `name` is the
   * name that led to `v6`; the latest one wins, so that a reverse lookup
   * answers the name a program just resolved to the address.
   */
  mapV6(v6: string, ttl = 0, name?: string): MapperEntry | undefined {
    const got = this.request(v6, { ttl, name });
    return typeof got === 'object' ? got : undefined;
  }

  /**
   * mapV6 for a caller: a new pool address is charged to `account`, and
   * refused (Status.Quota) when the account is over its quota or rate. An
   * existing mapping is never refused or charged.
   */
  request(v6: string, { ttl = 0, name, account }: MapRequest): MapperEntry | Refused {
    // A mapping past its expiry that no sweep removed yet is simply renewed:
    // it is still this peer's address.
    const found = this.byV6.get(key6(v6));
    if (found) return this.touch(this.rename(found, name), ttl);
    if (account?.refusal()) return Status.Quota;
    const v4 = this.pool.allocate(this.now()) ?? this.reclaim();
    if (!v4) {
      this.options.log?.warn(`pool ${this.pool.network}/${this.pool.prefixLength} exhausted (every address in use, cached or quarantined), cannot map ${v6}`);
      return Status.PoolExhausted;
    }
    const entry = this.fresh(Kind.Pool, v4, key6(v6), this.poolTtl, name);
    if (account) {
      account.charge();
      entry.account = account;
    }
    this.store(entry, ttl);
    this.options.log?.info(`pool: ${v4} stands for ${entry.v6}`);
    return entry;
  }

  /** Stores an A/AAAA pair of the name `name`, learned from DNS. Not charged to anyone: it takes no pool address. */
  recordPair(v4: string, v6: string, ttl: number, name?: string): MapperEntry {
    const known = this.byV4.get(key4(v4));
    if (known && known.kind === Kind.Paired && known.v6 === key6(v6)) {
      known.ttl = ttl;
      return this.touch(this.rename(known, name), ttl);
    }
    return this.store(this.fresh(Kind.Paired, key4(v4), key6(v6), ttl, name), ttl);
  }

  /** The entry for `v4`; undefined when unknown or expired (a stale address must fail, not be revived). */
  lookupV4(v4: string): MapperEntry | undefined {
    const found = this.byV4.get(key4(v4));
    if (!found) return undefined;
    if (this.expired(found)) {
      this.expire(found);
      return undefined;
    }
    return this.touch(found, found.ttl);
  }

  /** A socket started using the mapping of `v4`: it is neither expired nor reused until released. */
  hold(v4: string): MapperEntry | undefined {
    const found = this.byV4.get(key4(v4));
    if (!found) return undefined;
    found.inUse++;
    this.unpark(found);
    return found;
  }

  /** A socket stopped using the mapping of `v4`; its idle time starts when the last one does. */
  unhold(v4: string): void {
    const found = this.byV4.get(key4(v4));
    if (!found || found.inUse === 0) return;
    found.inUse--;
    this.touch(found, 0);
  }

  /** Expires idle mappings past their time, looking at no more than `limit` entries. */
  sweep(limit = DEFAULT_SWEEP_LIMIT): number {
    let expired = 0;
    for (let i = 0; i < limit; i++) {
      const next = this.sweepCursor?.next();
      if (!next || next.done) {
        this.sweepCursor = this.idleEntries();
        if (i > 0 || this.idle.size + this.idlePool.size === 0) break;
        continue;
      }
      if (!this.expired(next.value)) continue;
      this.expire(next.value);
      expired++;
    }
    return expired;
  }

  /** The form of `v4` the table keys it by. */
  keyOf(v4: string): string {
    return key4(v4);
  }

  /** A page of the table for `bia status`: rows from `offset` on while `fits` accepts them. */
  rows(offset: number, fits: (row: TableRow) => boolean): TableRow[] {
    const now = this.now();
    const out: TableRow[] = [];
    let i = 0;
    for (const e of this.byV4.values()) {
      if (i++ < offset) continue;
      const row = { kind: e.kind, v4: e.v4, v6: e.v6, name: e.name ?? '', age: (now - e.created) / 1000, idle: e.inUse ? 0 : (now - e.lastUsed) / 1000, uses: e.uses, inUse: e.inUse };
      if (!fits(row)) break;
      out.push(row);
    }
    return out;
  }

  /** Whether `v4` is mapped, without counting as a use. */
  has(v4: string): boolean {
    return this.byV4.has(key4(v4));
  }

  /** Every entry, for the state file. */
  entries(): IterableIterator<MapperEntry> {
    return this.byV4.values();
  }

  /**
   * Puts back an entry from the state file. Its uses since the last record
   * are unknown, so it counts as used now: it may live up to one idle timeout
   * longer than it would have, but never shorter. Unrecorded answers promised
   * at most a quarantine from then (see use()), so that is assumed promised.
   */
  restore(record: EntryRecord): void {
    const entry = this.fresh(record.kind, key4(record.v4), key6(record.v6), record.ttl, record.name);
    entry.cachedUntil = Math.max(record.cachedUntil, this.now() + this.quarantineMs);
    this.insert(entry);
    this.use(entry, 0);
    if (entry.kind === Kind.Pool) this.pool.claim(entry.v4);
  }

  get size(): number {
    return this.byV4.size;
  }

  private fresh(kind: Kind, v4: string, v6: string, ttl: number, name?: string): MapperEntry {
    const now = this.now();
    return { kind, v4, v6, ttl, lastUsed: now, cachedUntil: now, uses: 0, inUse: 0, created: now, ...(name && { name }) };
  }

  /** A new name for an entry is recorded like a new entry, so it survives a restart. */
  private rename(entry: MapperEntry, name: string | undefined): MapperEntry {
    if (name && entry.name !== name) {
      entry.name = name;
      this.options.onRecord?.(entry);
    }
    return entry;
  }

  private store(entry: MapperEntry, ttl: number): MapperEntry {
    this.insert(entry);
    this.use(entry, ttl);
    this.options.onRecord?.(entry);
    return entry;
  }

  // An entry replaced under its IPv4 key also leaves the IPv6 index. A
  // replaced pool address is not released: a DNS answer just showed that it
  // belongs to a real host, so it must not be handed out again.
  private insert(entry: MapperEntry): void {
    const old = this.byV4.get(entry.v4);
    if (old) this.forget(old);
    this.byV4.set(entry.v4, entry);
    this.byV6.set(entry.v6, entry);
  }

  private touch(entry: MapperEntry, ttl: number): MapperEntry {
    if (this.use(entry, ttl)) this.options.onRecord?.(entry);
    return entry;
  }

  // A use: the entry goes to the young end of the idle list and its promise
  // to clients grows to cover the ttl of this answer. True when that promise
  // now outlives what recovery after a crash would assume (its recorded
  // cachedUntil, or a quarantine from the restart), so it must be recorded.
  private use(entry: MapperEntry, ttl: number): boolean {
    const now = this.now();
    const promised = now + Math.max(ttl, entry.ttl) * 1000;
    const outgrown = promised > Math.max(entry.cachedUntil, now + this.quarantineMs);
    entry.lastUsed = now;
    entry.cachedUntil = Math.max(entry.cachedUntil, promised);
    entry.uses++;
    if (entry.inUse === 0) this.park(entry);
    return outgrown;
  }

  // To the young end of its idle list.
  private park(entry: MapperEntry): void {
    const list = this.idleList(entry);
    list.delete(entry.v4);
    list.set(entry.v4, entry);
  }

  private unpark(entry: MapperEntry): void {
    this.idleList(entry).delete(entry.v4);
  }

  private idleList(entry: MapperEntry): Map<string, MapperEntry> {
    return entry.kind === Kind.Pool ? this.idlePool : this.idle;
  }

  private *idleEntries(): Generator<MapperEntry> {
    yield* this.idle.values();
    yield* this.idlePool.values();
  }

  // Never before the ttl told to clients has run out.
  private expired(entry: MapperEntry): boolean {
    const now = this.now();
    return entry.inUse === 0 && now >= entry.lastUsed + this.idleMs && now >= entry.cachedUntil;
  }

  private reusableAt(entry: MapperEntry): number {
    return Math.max(entry.lastUsed + this.quarantineMs, entry.cachedUntil);
  }

  private expire(entry: MapperEntry): void {
    this.forget(entry);
    if (entry.kind === Kind.Pool) this.pool.release(entry.v4, this.reusableAt(entry));
    this.options.log?.debug(`expired: ${entry.v4} for ${entry.v6}`);
  }

  private forget(entry: MapperEntry): void {
    entry.account?.refund();
    entry.account = undefined;
    this.byV4.delete(entry.v4);
    this.unpark(entry);
    if (this.byV6.get(entry.v6) === entry) this.byV6.delete(entry.v6);
  }

  // The pool is full: the least recently used idle pool mapping past its
  // quarantine gives up its address. Entries in use are not in the idle list.
  private reclaim(): string | undefined {
    const now = this.now();
    let looked = 0;
    for (const entry of this.idlePool.values()) {
      if (looked++ >= MAX_STEAL_CANDIDATES) break;
      if (this.reusableAt(entry) > now) continue;
      this.forget(entry);
      this.options.log?.info(`pool full: reusing ${entry.v4}, idle since ${new Date(entry.lastUsed).toISOString()}, no longer stands for ${entry.v6}`);
      return entry.v4;
    }
    return undefined;
  }
}
