// The address mapper (draft 2.3): the table of IPv4 <-> IPv6 pairs the
// helper has handed out or learned, and their lifecycle
// (docs/mapping-lifecycle.md): a mapping lives while it is used, expires
// after an idle timeout, and its pool address is handed to another peer only
// after a quarantine, so a program holding a stale address fails cleanly
// instead of reaching a stranger (virtual-ipv6-connectivity section 7).
import { v4ToInt, v4ToText, v6FromWords, v6Key } from '../wire/addresses.js';
import { Kind, Status, type Entry, type TableRow } from '../wire/messages.js';
import type { Logger } from '../log.js';
import { EntryTable, NONE } from './entrytable.js';
import type { Pool } from './pool.js';
import type { Account } from './quota.js';


/** A copy of an entry as it was when the mapper answered it (the table itself keeps no objects). */
export interface MapperEntry extends Entry {
  /** When it was last requested or used (ms since the epoch). */
  lastUsed: number;
  /** Until when some client may cache it: the latest answer's time plus the ttl it carried (ms). */
  cachedUntil: number;
  /** Requests answered with it. */
  uses: number;
  /** Uses now (the preload's USE/RELEASE reports: one per process using it, see usage.ts); never expired or reused while > 0. */
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
export type Refused = Status.PoolExhausted | Status.Quota | Status.TryAgain;

/** What the state file keeps of an entry. */
export type EntryRecord = Pick<MapperEntry, 'kind' | 'v4' | 'v6' | 'ttl' | 'lastUsed' | 'cachedUntil' | 'name'>;

/**
 * Where the mapper publishes what its pool addresses stand for (the
 * published table, published-table.ts), kept up to date at every change.
 */
export interface MappingSink {
  /** The pool address `v4` (a number) stands for the IPv6 words of `words` at `at` until `until` (ms; Infinity while in use). */
  set(v4: number, until: number, words: Uint32Array, at: number): void;
  /** `v4` stands for nothing now. */
  clear(v4: number): void;
}

export interface MapperOptions {
  /** Seconds clients may cache a pool entry made without a DNS TTL. */
  poolTtl?: number;
  /** A mapping unused this long expires (ms). */
  idleTimeoutMs?: number;
  /** A pool address is not handed to another peer sooner than this after its last use (ms). */
  quarantineMs?: number;
  /** Told of every entry whose loss in a crash would break a promise made to a client. */
  onRecord?: (entry: MapperEntry) => void;
  /** False while a new entry's record could not be saved (a full disk): no pool address is handed out then (TRY_AGAIN). */
  canAllocate?: () => boolean;
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

// The two idle lists: entries nobody holds, least recently used first. The
// pool's own are listed apart, so that reuse does not wade through PAIRED
// entries.
const IDLE = 0;
const IDLE_POOL = 1;

/**
 * The accounts entries are charged to, each under a small number the table
 * keeps per entry, and dropped when no entry is charged to it any more.
 */
class AccountTable {
  private readonly byId: (Account | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly ids = new Map<Account, number>();
  private readonly freeIds: number[] = [];

  charge(account: Account): number {
    let id = this.ids.get(account);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.byId.length;
      this.ids.set(account, id);
      this.byId[id] = account;
      this.refs[id] = 0;
    }
    this.refs[id]++;
    return id;
  }

  get(id: number): Account | undefined {
    return id === NONE ? undefined : this.byId[id];
  }

  refund(id: number): void {
    const account = this.byId[id];
    if (!account) return;
    account.refund();
    if (--this.refs[id] > 0) return;
    this.ids.delete(account);
    this.byId[id] = undefined;
    this.freeIds.push(id);
  }
}

export class AddressMapper {
  // One slot per entry; its IPv6 index leads to the preferred entry for an
  // address: a PAIRED one (a real IPv4 address) once DNS taught us one, else
  // its POOL entry.
  private readonly t: EntryTable;
  private readonly accounts = new AccountTable();
  // The idle lists' ends, linked through the table's prev/next.
  private readonly heads = [NONE, NONE];
  private readonly tails = [NONE, NONE];
  // Where the periodic sweep goes on: the list and the last entry it looked
  // at (NONE: before the list's head); undefined when a new walk starts.
  private sweepAt: { list: number; after: number } | undefined;
  /**
   * Reads the uses programs reported but the helper has not read yet (the
   * use datagrams wait up to 2 ms for their drain): a full pool must see
   * every hold before it reclaims an idle address, and its refusal counts
   * them all.
   */
  readPendingUses?: () => void;
  private readonly poolTtl: number;
  private readonly idleMs: number;
  private readonly quarantineMs: number;
  private readonly now: () => number;
  private sink: MappingSink | undefined;
  // The end of the embargo last logged.
  private embargoLogged = 0;

  constructor(
    readonly pool: Pool,
    private readonly options: MapperOptions = {},
  ) {
    this.poolTtl = options.poolTtl ?? DEFAULT_POOL_TTL;
    this.idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.quarantineMs = options.quarantineMs ?? DEFAULT_QUARANTINE_MS;
    this.now = options.now ?? Date.now;
    // Room for an entry per pool address (PAIRED ones take none, but are
    // rarely as many).
    this.t = new EntryTable(pool.stats().size);
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
    const key = v6Key(v6);
    const found = this.t.find6(key);
    if (found !== NONE) return this.entry(this.touch(this.rename(found, name), ttl));
    if (account?.refusal()) return Status.Quota;
    if (this.options.canAllocate?.() === false) return Status.TryAgain;
    const v4 = this.pool.allocateNumber(this.now()) ?? (this.readPendingUses?.(), this.reclaim());
    if (v4 === undefined) {
      this.refusedAll(v6);
      return Status.PoolExhausted;
    }
    const slot = this.fresh(Kind.Pool, v4, key, this.poolTtl, name);
    if (account) {
      account.charge();
      this.t.account[slot] = this.accounts.charge(account);
    }
    const entry = this.store(slot, ttl);
    this.options.log?.info(`pool: ${entry.v4} stands for ${entry.v6}`);
    return entry;
  }

  // Why no address is free: an embargo (a damaged state file, logged once
  // per embargo) is not a full pool.
  private refusedAll(v6: string): void {
    const until = this.pool.embargoedUntil;
    if (until > this.now()) {
      if (this.embargoLogged === until) return;
      this.embargoLogged = until;
      this.options.log?.warn(`no pool address is handed out until ${new Date(until).toISOString()}: saved mappings were damaged, so any pool address may still be cached by a program (cannot map ${v6})`);
      return;
    }
    this.options.log?.warn(`pool ${this.pool.network}/${this.pool.prefixLength} exhausted (every address in use, cached or quarantined), cannot map ${v6}`);
  }

  /** Stores an A/AAAA pair of the name `name`, learned from DNS. Not charged to anyone: it takes no pool address. */
  recordPair(v4: string, v6: string, ttl: number, name?: string): MapperEntry {
    const n = v4ToInt(v4);
    const key = v6Key(v6);
    const known = this.t.find4(n);
    if (known !== NONE && this.t.kind[known] === Kind.Paired && this.t.same6(known, key)) {
      this.t.ttl[known] = ttl;
      return this.entry(this.touch(this.rename(known, name), ttl));
    }
    return this.store(this.fresh(Kind.Paired, n, key, ttl, name), ttl);
  }

  /** The entry for `v4`; undefined when unknown or expired (a stale address must fail, not be revived). */
  lookupV4(v4: string): MapperEntry | undefined {
    const found = this.t.find4(v4ToInt(v4));
    if (found === NONE) return undefined;
    if (this.expired(found)) {
      this.expire(found);
      return undefined;
    }
    return this.entry(this.touch(found, this.t.ttl[found]));
  }

  /** A socket started using the mapping of `v4`: it is neither expired nor reused until released. */
  hold(v4: string): MapperEntry | undefined {
    const found = this.t.find4(v4ToInt(v4));
    if (found === NONE) return undefined;
    this.t.inUse[found]++;
    this.unpark(found);
    this.publish(found);
    return this.entry(found);
  }

  /** A socket stopped using the mapping of `v4`; its idle time starts when the last one does. */
  unhold(v4: string): void {
    const found = this.t.find4(v4ToInt(v4));
    if (found === NONE || this.t.inUse[found] === 0) return;
    this.t.inUse[found]--;
    this.touch(found, 0);
  }

  /** Expires idle mappings past their time, looking at no more than `limit` entries. */
  sweep(limit = DEFAULT_SWEEP_LIMIT): number {
    let expired = 0;
    for (let i = 0; i < limit; i++) {
      const next = this.sweepNext();
      if (next === NONE) {
        this.sweepAt = { list: IDLE, after: NONE };
        if (i > 0 || (this.heads[IDLE] === NONE && this.heads[IDLE_POOL] === NONE)) break;
        continue;
      }
      if (!this.expired(next)) continue;
      this.expire(next);
      expired++;
    }
    return expired;
  }

  /** A page of the table for `bia status`: rows from `offset` on while `fits` accepts them. */
  rows(offset: number, fits: (row: TableRow) => boolean): TableRow[] {
    const now = this.now();
    const t = this.t;
    const out: TableRow[] = [];
    let i = 0;
    for (const s of t.slots()) {
      if (i++ < offset) continue;
      const idle = t.inUse[s] ? 0 : (now - t.lastUsed[s]) / 1000;
      const row = { kind: t.kind[s], v4: v4ToText(t.v4[s]), v6: v6FromWords(t.v6, 4 * s), name: t.names.get(s) ?? '', age: (now - t.created[s]) / 1000, idle, uses: t.uses[s], inUse: t.inUse[s] };
      if (!fits(row)) break;
      out.push(row);
    }
    return out;
  }

  /** Whether `v4` is mapped, without counting as a use. */
  has(v4: string): boolean {
    return this.t.find4(v4ToInt(v4)) !== NONE;
  }

  /** Every entry, for the state file. */
  *entries(): Generator<MapperEntry> {
    for (const s of this.t.slots()) yield this.entry(s);
  }

  /**
   * Puts back an entry from the state file. Its uses since the last record
   * are unknown, so it counts as used now: it may live up to one idle timeout
   * longer than it would have, but never shorter. Unrecorded answers promised
   * at most a quarantine from then (see use()), so that is assumed promised.
   */
  restore(record: EntryRecord): void {
    const slot = this.fresh(record.kind, v4ToInt(record.v4), v6Key(record.v6), record.ttl, record.name);
    this.t.cachedUntil[slot] = Math.max(record.cachedUntil, this.now() + this.quarantineMs);
    this.insert(slot);
    this.use(slot, 0);
    if (record.kind === Kind.Pool) this.pool.claim(v4ToText(this.t.v4[slot]));
  }

  /** Publishes every pool mapping to `sink` now and each change from now on. */
  publishTo(sink: MappingSink): void {
    this.sink = sink;
    for (const s of this.t.slots()) this.publish(s);
  }

  get size(): number {
    return this.t.count;
  }

  // The answer for a slot: a plain copy, so that callers never see a slot
  // that was since given to another entry.
  private entry(s: number): MapperEntry {
    const t = this.t;
    const e: MapperEntry = { kind: t.kind[s], v4: v4ToText(t.v4[s]), v6: v6FromWords(t.v6, 4 * s), ttl: t.ttl[s], lastUsed: t.lastUsed[s], cachedUntil: t.cachedUntil[s], uses: t.uses[s], inUse: t.inUse[s], created: t.created[s] };
    const name = t.names.get(s);
    if (name !== undefined) e.name = name;
    const account = this.accounts.get(t.account[s]);
    if (account) e.account = account;
    return e;
  }

  private fresh(kind: Kind, v4: number, v6: Uint32Array, ttl: number, name?: string): number {
    const t = this.t;
    const s = t.allocate(kind);
    const now = this.now();
    t.v4[s] = v4;
    t.v6.set(v6.subarray(0, 4), 4 * s);
    t.ttl[s] = ttl;
    t.lastUsed[s] = t.cachedUntil[s] = t.created[s] = now;
    if (name) t.names.set(s, name);
    return s;
  }

  /** A new name for an entry is recorded like a new entry, so it survives a restart. */
  private rename(s: number, name: string | undefined): number {
    if (name && this.t.names.get(s) !== name) {
      this.t.names.set(s, name);
      this.record(s);
    }
    return s;
  }

  private record(s: number): void {
    if (this.options.onRecord) this.options.onRecord(this.entry(s));
  }

  // A new entry: indexed, used once and recorded; its copy serves as the answer too.
  private store(s: number, ttl: number): MapperEntry {
    this.insert(s);
    this.use(s, ttl);
    const entry = this.entry(s);
    this.options.onRecord?.(entry);
    return entry;
  }

  // An entry replaced under its IPv4 key also leaves the IPv6 index. A
  // replaced pool address is not released: a DNS answer just showed that it
  // belongs to a real host, so it must not be handed out again.
  private insert(s: number): void {
    const old = this.t.find4(this.t.v4[s]);
    if (old !== NONE) this.forget(old);
    this.t.index4(s);
    this.t.index6(s);
  }

  private touch(s: number, ttl: number): number {
    if (this.use(s, ttl)) this.record(s);
    return s;
  }

  // A use: the entry goes to the young end of the idle list and its promise
  // to clients grows to cover the ttl of this answer. True when that promise
  // now outlives what recovery after a crash would assume (its recorded
  // cachedUntil, or a quarantine from the restart), so it must be recorded.
  private use(s: number, ttl: number): boolean {
    const t = this.t;
    const now = this.now();
    const promised = now + Math.max(ttl, t.ttl[s]) * 1000;
    const outgrown = promised > Math.max(t.cachedUntil[s], now + this.quarantineMs);
    t.lastUsed[s] = now;
    t.cachedUntil[s] = Math.max(t.cachedUntil[s], promised);
    t.uses[s]++;
    if (t.inUse[s] === 0) this.park(s);
    this.publish(s);
    return outgrown;
  }

  // A pool mapping is good until it could expire (see expired()).
  private publish(s: number): void {
    const t = this.t;
    if (!this.sink || t.kind[s] !== Kind.Pool) return;
    const until = t.inUse[s] ? Infinity : Math.max(t.lastUsed[s] + this.idleMs, t.cachedUntil[s]);
    this.sink.set(t.v4[s], until, t.v6, 4 * s);
  }

  private listOf(s: number): number {
    return this.t.kind[s] === Kind.Pool ? IDLE_POOL : IDLE;
  }

  // To the young end of its idle list.
  private park(s: number): void {
    this.unpark(s);
    const list = this.listOf(s);
    const tail = this.tails[list];
    this.t.prev[s] = tail;
    this.t.next[s] = NONE;
    if (tail === NONE) this.heads[list] = s;
    else this.t.next[tail] = s;
    this.tails[list] = s;
  }

  // Out of its idle list, if in it; a sweep that last looked at it goes on
  // from the entry before.
  private unpark(s: number): void {
    const list = this.listOf(s);
    const { prev, next } = this.t;
    if (prev[s] === NONE && this.heads[list] !== s) return;
    if (this.sweepAt?.after === s) this.sweepAt.after = prev[s];
    if (prev[s] === NONE) this.heads[list] = next[s];
    else next[prev[s]] = next[s];
    if (next[s] === NONE) this.tails[list] = prev[s];
    else prev[next[s]] = prev[s];
    prev[s] = next[s] = NONE;
  }

  // The idle list, then the pool's; NONE at the end of the walk.
  private sweepNext(): number {
    const at = this.sweepAt;
    if (!at) return NONE;
    for (;;) {
      const s = at.after === NONE ? this.heads[at.list] : this.t.next[at.after];
      if (s !== NONE) {
        at.after = s;
        return s;
      }
      if (at.list === IDLE_POOL) {
        this.sweepAt = undefined;
        return NONE;
      }
      at.list = IDLE_POOL;
      at.after = NONE;
    }
  }

  // Never before the ttl told to clients has run out.
  private expired(s: number): boolean {
    const t = this.t;
    const now = this.now();
    return t.inUse[s] === 0 && now >= t.lastUsed[s] + this.idleMs && now >= t.cachedUntil[s];
  }

  private reusableAt(s: number): number {
    return Math.max(this.t.lastUsed[s] + this.quarantineMs, this.t.cachedUntil[s]);
  }

  private expire(s: number): void {
    const v4 = v4ToText(this.t.v4[s]);
    const pool = this.t.kind[s] === Kind.Pool;
    const until = this.reusableAt(s);
    if (this.options.log) this.options.log.debug(`expired: ${v4} for ${v6FromWords(this.t.v6, 4 * s)}`);
    this.forget(s);
    if (pool) this.pool.release(v4, until);
  }

  private forget(s: number): void {
    const t = this.t;
    if (this.sink && t.kind[s] === Kind.Pool) this.sink.clear(t.v4[s]);
    if (t.account[s] !== NONE) this.accounts.refund(t.account[s]);
    t.unindex4(s);
    t.unindex6(s);
    this.unpark(s);
    t.free(s);
  }

  // The pool is full: the least recently used idle pool mapping past its
  // quarantine gives up its address. Entries in use are not in the idle list.
  private reclaim(): number | undefined {
    const now = this.now();
    let looked = 0;
    for (let s = this.heads[IDLE_POOL]; s !== NONE && looked++ < MAX_STEAL_CANDIDATES; s = this.t.next[s]) {
      if (this.reusableAt(s) > now) continue;
      const v4 = this.t.v4[s];
      this.options.log?.info(`pool full: reusing ${v4ToText(v4)}, idle since ${new Date(this.t.lastUsed[s]).toISOString()}, no longer stands for ${v6FromWords(this.t.v6, 4 * s)}`);
      this.forget(s);
      return v4;
    }
    return undefined;
  }
}
