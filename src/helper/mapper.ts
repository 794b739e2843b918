// The address mapper (draft 2.3): the table of IPv4 <-> IPv6 pairs the
// helper has handed out or learned. Entries are indexed both ways and carry
// a last-used time so that a later lifecycle (expiry, LRU, persistence) can
// be added without changing the callers.
import { Address4, Address6 } from 'ip-address';
import { Kind, type Entry } from '../protocol.js';
import type { Logger } from '../log.js';
import type { Pool } from './pool.js';

export interface MapperEntry extends Entry {
  lastUsed: number;
  /** The name the entry was made for (NAME4 answers it); none for a bare MAP6. */
  name?: string;
}

export interface MapperOptions {
  /** Seconds clients may cache a pool entry made without a DNS TTL. */
  poolTtl?: number;
  log?: Logger;
  now?: () => number;
}

/** The pool TTL when none is given. */
export const DEFAULT_POOL_TTL = 60;

// Keys are canonical text, whatever form the DNS library or wire decoder used.
const key4 = (v4: string) => new Address4(v4).correctForm();
const key6 = (v6: string) => new Address6(v6).correctForm();

export class AddressMapper {
  private readonly byV4 = new Map<string, MapperEntry>();
  // The preferred entry for an IPv6 address: a PAIRED one (a real IPv4
  // address) once DNS taught us one, else its POOL entry.
  private readonly byV6 = new Map<string, MapperEntry>();
  private readonly poolTtl: number;
  private readonly now: () => number;

  constructor(
    readonly pool: Pool,
    private readonly options: MapperOptions = {},
  ) {
    this.poolTtl = options.poolTtl ?? DEFAULT_POOL_TTL;
    this.now = options.now ?? Date.now;
  }

  /**
   * The entry for `v6`, allocating a pool address if there is none;
   * undefined when the pool is exhausted. `name` is the name that led to
   * `v6`; the latest one given wins, so that a reverse lookup answers the
   * name a program just resolved to the address.
   */
  mapV6(v6: string, name?: string): MapperEntry | undefined {
    const found = this.byV6.get(key6(v6));
    if (found) {
      if (name) found.name = name;
      return this.touch(found);
    }
    const v4 = this.pool.allocate();
    if (!v4) {
      this.options.log?.warn(`pool ${this.pool.network}/${this.pool.prefixLength} exhausted, cannot map ${v6}`);
      return undefined;
    }
    const entry = this.store({ kind: Kind.Pool, v4, v6: key6(v6), ttl: this.poolTtl, lastUsed: this.now(), name });
    this.options.log?.info(`pool: ${v4} stands for ${entry.v6}`);
    return entry;
  }

  /** Stores an A/AAAA pair of the name `name`, learned from DNS. */
  recordPair(v4: string, v6: string, ttl: number, name?: string): MapperEntry {
    return this.store({ kind: Kind.Paired, v4: key4(v4), v6: key6(v6), ttl, lastUsed: this.now(), name });
  }

  lookupV4(v4: string): MapperEntry | undefined {
    const found = this.byV4.get(key4(v4));
    return found && this.touch(found);
  }

  get size(): number {
    return this.byV4.size;
  }

  // An entry replaced under its IPv4 key also leaves the IPv6 index. A
  // replaced pool address is not released: a DNS answer just showed that it
  // belongs to a real host, so it must not be handed out again.
  private store(entry: MapperEntry): MapperEntry {
    const old = this.byV4.get(entry.v4);
    if (old && this.byV6.get(old.v6) === old) this.byV6.delete(old.v6);
    this.byV4.set(entry.v4, entry);
    this.byV6.set(entry.v6, entry);
    return entry;
  }

  private touch(entry: MapperEntry): MapperEntry {
    entry.lastUsed = this.now();
    return entry;
  }
}
