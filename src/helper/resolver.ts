// The extension name resolver (draft 2.2) for IPv4 programs: /etc/hosts,
// then DNS with glibc's search rules, A and AAAA asked in parallel, and the
// answer turned into mapping entries (NATIVE, PAIRED or POOL).
import { promises as dnsp } from 'node:dns';
import { Kind, MAX_ENTRIES, MAX_NAME, Status, type Entry } from '../wire/messages.js';
import type { Logger } from '../log.js';
import { plainV4, plainV6 } from '../wire/addresses.js';
import { WatchedFile } from './filecache.js';
import { HostsFile } from './hosts.js';
import { DEFAULT_POOL_TTL, type AddressMapper, type MapRequest, type Refused } from './mapper.js';
import { negativeTtl } from './soa.js';
import { Synthesizer } from './synth.js';
import { parseResolvConf, resolvConfPath, type Nameserver, type ResolvConf } from './resolvconf.js';

export type RecordType = 'A' | 'AAAA';

export interface DnsRecord {
  address: string;
  ttl: number;
}

/**
 * How one query ended. glibc's search walk moves on after NXDOMAIN, NODATA
 * and SERVFAIL but gives up when the servers time out or refuse.
 */
export type QueryOutcome = { kind: 'ok'; records: DnsRecord[] } | { kind: QueryFailure };
export type QueryFailure = 'nxdomain' | 'nodata' | 'servfail' | 'unreachable';

/** The queries of one resolve4 call, cancelled together when its time is up. */
export interface DnsSession {
  query(name: string, type: RecordType): Promise<QueryOutcome>;
  /**
   * How long a negative answer for `name` may be cached (RFC 2308): the
   * smaller of the TTL and the MINIMUM of the SOA record in the authority
   * section of the negative answers, in seconds (soa.ts); undefined when
   * there is none, and the answer is then not cached.
   */
  negativeTtl?(name: string): Promise<number | undefined>;
  cancel(): void;
}

/** Opens a session against the servers of `conf`; injectable so unit tests need no DNS server. */
export type DnsTransport = (conf: ResolvConf) => DnsSession;

export type ResolveResult =
  | { status: Status.Ok; canon: string; entries: Entry[] }
  | { status: Status.NotFound | Status.NoData | Status.TryAgain | Status.PoolExhausted | Status.Quota };

/** Whose mappings an answer uses: the table of the caller's scope and the account new pool addresses are charged to. */
export interface Via {
  mapper?: AddressMapper;
  account?: MapRequest['account'];
}

export interface ResolverOptions {
  mapper: AddressMapper;
  /** How A-only names are answered to IPv6 programs. Default: mapped. */
  synth?: Synthesizer;
  resolvConfPath?: string;
  hostsPath?: string;
  dns?: DnsTransport;
  /** Give up after this long. Default DEFAULT_DEADLINE_MS. */
  deadlineMs?: number;
  log?: Logger;
  now?: () => number;
}

/** Under the preload's default wait for a resolve (8000 ms), so it gets TRY_AGAIN rather than silence. */
export const DEFAULT_DEADLINE_MS = 7500;
/** Seconds clients may cache an answer from /etc/hosts or a literal. */
export const LOCAL_TTL = 60;
/** RFC 2308 section 5: negative answers are cached no longer than a few hours, whatever the SOA says; bia keeps one. */
export const MAX_NEGATIVE_TTL = 3600;
const NO_V6 = '::';
const NO_V4 = '0.0.0.0';
const CACHE_LIMIT = 1024;

// ---- c-ares --------------------------------------------------------------

// Everything else (timeouts, refusals, cancellation) counts as unreachable.
const FAILURES: Record<string, QueryFailure> = {
  ENOTFOUND: 'nxdomain',
  EBADNAME: 'nxdomain',
  ENODATA: 'nodata',
  ESERVFAIL: 'servfail',
};

function serverAddress(ns: Nameserver, port?: number): string {
  // Node's c-ares binding has no room for a scope id; resolve4 warns about it.
  if (!port) return ns.address;
  return ns.family === 6 ? `[${ns.address}]:${port}` : `${ns.address}:${port}`;
}

// Idle c-ares channels kept for the next session: making one (it reads the
// system's resolver files) took about 70 us of the helper's CPU per name.
const IDLE_RESOLVERS = 4;

/**
 * DNS through node:dns (c-ares), which follows CNAMEs and reports TTLs; the
 * SOA of a negative answer, which c-ares does not show, by a query of our
 * own (soa.ts). `port` is for test servers. A session has a channel to
 * itself, so cancelling it (its deadline passed) never touches another's
 * queries; a session that ended with none pending gives its channel back.
 */
export function caresTransport(port?: number): DnsTransport {
  let idle: { conf: ResolvConf; resolvers: InstanceType<typeof dnsp.Resolver>[] } | undefined;
  const take = (conf: ResolvConf) => {
    if (idle?.conf !== conf) idle = { conf, resolvers: [] };
    const kept = idle.resolvers.pop();
    if (kept) return kept;
    const resolver = new dnsp.Resolver({ timeout: conf.timeout * 1000, tries: conf.attempts });
    resolver.setServers(conf.nameservers.map((ns) => serverAddress(ns, port)));
    return resolver;
  };
  return (conf) => {
    const resolver = take(conf);
    const cancelled = new AbortController();
    let pending = 0;
    const settled = () => void pending--;
    return {
      query: (name, type) => {
        pending++;
        return (type === 'A' ? resolver.resolve4(name, { ttl: true }) : resolver.resolve6(name, { ttl: true }))
          .finally(settled)
          .then(
            (records): QueryOutcome => ({ kind: 'ok', records }),
            (err: NodeJS.ErrnoException): QueryOutcome => ({ kind: FAILURES[err.code ?? ''] ?? 'unreachable' }),
          );
      },
      negativeTtl: (name) => negativeTtl(name, conf, { port, signal: cancelled.signal }),
      cancel: () => {
        cancelled.abort();
        if (pending > 0 || idle?.conf !== conf || idle.resolvers.length >= IDLE_RESOLVERS) resolver.cancel();
        else idle.resolvers.push(resolver);
      },
    };
  };
}

// ---- glibc's search rules ------------------------------------------------

/** The names res_search would try, in order. */
export function searchCandidates(name: string, conf: ResolvConf): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)].filter(Boolean);
  const searched = conf.search.map((domain) => `${name}.${domain}`).filter((c) => c.length <= MAX_NAME);
  const dots = name.split('.').length - 1;
  const ordered = dots >= conf.ndots ? [name, ...searched] : [...searched, name];
  return [...new Set(ordered)];
}

// ---- answers -------------------------------------------------------------

interface Addresses {
  canon: string;
  a: DnsRecord[];
  aaaa: DnsRecord[];
}

interface DnsAnswer extends Addresses {
  /** Both queries ended conclusively, so the answer may be cached. */
  complete: boolean;
  /** When the shortest-lived record expires (ms since the epoch). */
  expires: number;
}

type Failure = { status: Status.NotFound | Status.NoData | Status.TryAgain };
type Lookup = { answer: DnsAnswer } | Failure;
/** A failure, and until when it may be cached (ms) when every name tried was conclusively negative and its zone's SOA known. */
type Walked = { found: Addresses; complete: boolean } | (Failure & { negativeTtl?: number });

const conclusive = (o: QueryOutcome) => o.kind === 'ok' || o.kind === 'nodata' || o.kind === 'nxdomain';

function unique(o: QueryOutcome): DnsRecord[] {
  if (o.kind !== 'ok') return [];
  const byAddress = new Map(o.records.map((r) => [r.address, r]));
  return [...byAddress.values()].slice(0, MAX_ENTRIES);
}

async function walk(session: DnsSession, names: string[]): Promise<Walked> {
  let nodata = false;
  let temporary = false;
  // The shortest negative ttl of the names tried; undefined once one is unknown.
  let negativeTtl: number | undefined = MAX_NEGATIVE_TTL;
  for (const name of names) {
    const [a, aaaa] = await Promise.all([session.query(name, 'A'), session.query(name, 'AAAA')]);
    if (a.kind === 'ok' || aaaa.kind === 'ok') {
      return { found: { canon: name, a: unique(a), aaaa: unique(aaaa) }, complete: conclusive(a) && conclusive(aaaa) };
    }
    nodata ||= a.kind === 'nodata' || aaaa.kind === 'nodata';
    temporary ||= a.kind === 'servfail' || aaaa.kind === 'servfail';
    if (a.kind === 'unreachable' || aaaa.kind === 'unreachable') return { status: nodata ? Status.NoData : Status.TryAgain };
    const ttl: number | undefined = conclusive(a) && conclusive(aaaa) && negativeTtl !== undefined ? await session.negativeTtl?.(name) : undefined;
    negativeTtl = ttl === undefined ? undefined : Math.min(negativeTtl!, ttl);
  }
  if (nodata) return { status: Status.NoData, negativeTtl };
  return temporary ? { status: Status.TryAgain } : { status: Status.NotFound, negativeTtl };
}

// A reply entry: the mapping, valid for as long as the DNS answer it came with.
const withTtl = ({ kind, v4, v6 }: Entry, ttl: number): Entry => ({ kind, v4, v6, ttl });

const localRecords = (addresses: string[]): DnsRecord[] => addresses.slice(0, MAX_ENTRIES).map((address) => ({ address, ttl: LOCAL_TTL }));

const minTtl = ({ a, aaaa }: Addresses) => Math.min(...a.map((r) => r.ttl), ...aaaa.map((r) => r.ttl));

export class NameResolver {
  private readonly mapper: AddressMapper;
  private readonly synth: Synthesizer;
  private readonly resolvConf: WatchedFile<ResolvConf>;
  private readonly hosts: HostsFile;
  private readonly dns: DnsTransport;
  private readonly deadlineMs: number;
  private readonly now: () => number;
  // Answers and negative answers, until they expire.
  private readonly cache = new Map<string, { lookup: Lookup; expires: number }>();
  private readonly inflight = new Map<string, Promise<Lookup>>();
  private lastConf: ResolvConf | undefined;

  constructor(private readonly options: ResolverOptions) {
    this.mapper = options.mapper;
    this.synth = options.synth ?? new Synthesizer();
    this.resolvConf = new WatchedFile(options.resolvConfPath ?? resolvConfPath(), (text) => parseResolvConf(text));
    this.hosts = new HostsFile(options.hostsPath);
    this.dns = options.dns ?? caresTransport();
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Addresses for an IPv4 program asking for `name`: at once (no promise) for a literal or a name in hosts. */
  resolve4(name: string, via: Via = {}): ResolveResult | Promise<ResolveResult> {
    return this.literal(name, via) ?? this.fromHosts(name, via) ?? this.fromDns4(name, via);
  }

  private async fromDns4(name: string, via: Via): Promise<ResolveResult> {
    const lookup = await this.lookup(name);
    if ('status' in lookup) return lookup;
    const ttl = Math.max(0, Math.ceil((lookup.answer.expires - this.now()) / 1000));
    return this.entries(lookup.answer, ttl, via);
  }

  /**
   * Addresses for an IPv6 program asking for `name` (draft 5.1): AAAA only,
   * NATIVE entries (`v4` all zero); A and AAAA, PAIRED entries answering the
   * AAAA; A only, SYNTHETIC entries. Literals stay libc's.
   */
  async resolve6(name: string, via: Via = {}): Promise<ResolveResult> {
    const host = this.hosts.lookup(name);
    if (host) {
      // As for IPv4 programs, the addresses the program asked for win.
      const found = host.v6.length ? { a: [], aaaa: localRecords(host.v6) } : { a: localRecords(host.v4), aaaa: [] };
      return this.entries6({ canon: host.canon, ...found }, LOCAL_TTL, via);
    }
    const lookup = await this.lookup(name);
    if ('status' in lookup) return lookup;
    return this.entries6(lookup.answer, Math.max(0, Math.ceil((lookup.answer.expires - this.now()) / 1000)), via);
  }

  // Native (and paired) entries come first, synthesized ones after them (RFC 6724, shanti 7 item 4.1).
  // A PAIRED entry may be cached at least DEFAULT_POOL_TTL, like a pool
  // mapping: on a network without IPv6 the preload translates a connect to
  // the AAAA address through it, and a TTL-0 record must not make that fail.
  private entries6({ canon, a, aaaa }: Addresses, ttl: number, via: Via): ResolveResult {
    const mapper = via.mapper ?? this.mapper;
    const pairTtl = Math.max(ttl, DEFAULT_POOL_TTL);
    const native = a.length
      ? aaaa.map((r, i) => withTtl(mapper.recordPair(a[i % a.length].address, r.address, ttl, canon), pairTtl))
      : aaaa.map((r) => ({ kind: Kind.Native, v4: NO_V4, v6: r.address, ttl }));
    const synthesized = aaaa.length ? [] : a.flatMap((r) => this.synthEntry(r.address, ttl));
    const entries = [...native, ...synthesized].slice(0, MAX_ENTRIES);
    return entries.length ? { status: Status.Ok, canon, entries } : { status: Status.PoolExhausted };
  }

  // A pool-format address outlives the record (the helper never reuses it), but
  // its A record may change: the client caches it no longer than the record.
  private synthEntry(v4: string, ttl: number): Entry[] {
    const v6 = this.synth.toV6(v4);
    return v6 ? [{ kind: Kind.Synthetic, v4, v6, ttl }] : [];
  }

  // Appendix A: literals get entries too, so an IPv6 literal works in an IPv4 program.
  private literal(name: string, via: Via): ResolveResult | undefined {
    const v4 = plainV4(name);
    if (v4) return this.entries({ canon: v4, a: [{ address: v4, ttl: LOCAL_TTL }], aaaa: [] }, LOCAL_TTL, via, false);
    const v6 = plainV6(name);
    return v6 && this.entries({ canon: name, a: [], aaaa: [{ address: v6.address, ttl: LOCAL_TTL }] }, LOCAL_TTL, via, false);
  }

  private fromHosts(name: string, via: Via): ResolveResult | undefined {
    const host = this.hosts.lookup(name);
    if (!host) return undefined;
    // The addresses the program asked for win: with IPv4 ones, the IPv6 ones are not paired.
    const found = host.v4.length ? { a: localRecords(host.v4), aaaa: [] } : { a: [], aaaa: localRecords(host.v6) };
    return this.entries({ canon: host.canon, ...found }, LOCAL_TTL, via);
  }

  // `named`: the mappings remember `canon` for reverse lookups (NAME4);
  // a literal is no name, so its reverse lookup stays numeric.
  private entries({ canon, a, aaaa }: Addresses, ttl: number, via: Via, named = true): ResolveResult {
    const name = named ? canon : undefined;
    const mapper = via.mapper ?? this.mapper;
    if (aaaa.length === 0) return { status: Status.Ok, canon, entries: a.map((r) => ({ kind: Kind.Native, v4: r.address, v6: NO_V6, ttl })) };
    if (a.length > 0) {
      const entries = a.map((r, i) => withTtl(mapper.recordPair(r.address, aaaa[i % aaaa.length].address, ttl, name), ttl));
      return { status: Status.Ok, canon, entries };
    }
    // A pool mapping outlives the record it was made for (the mapper keeps it
    // at least its own ttl), so clients may cache it for the longer of the
    // two: a TTL-0 AAAA record must not cost a MAP4 round trip on every
    // connect. The mapper is told the ttl so that it keeps the mapping that long.
    const entries: Entry[] = [];
    let refused: Refused = Status.PoolExhausted;
    for (const r of aaaa) {
      const got = mapper.request(r.address, { ttl, name, account: via.account });
      if (typeof got === 'object') entries.push(withTtl(got, Math.max(ttl, got.ttl)));
      else refused = got;
    }
    return entries.length ? { status: Status.Ok, canon, entries } : { status: refused };
  }

  // ---- DNS with cache and coalescing --------------------------------------

  private lookup(name: string): Promise<Lookup> {
    const conf = this.currentConf();
    const key = name.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.expires > this.now()) return Promise.resolve(cached.lookup);
    this.cache.delete(key);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.query(name, conf).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  // A changed resolv.conf means another network (roaming): forget its answers.
  private currentConf(): ResolvConf {
    const conf = this.resolvConf.get();
    if (conf !== this.lastConf) {
      this.cache.clear();
      this.lastConf = conf;
      for (const ns of conf.nameservers.filter((n) => n.zone)) {
        this.options.log?.warn(`nameserver ${ns.address}%${ns.zone}: node's DNS client ignores scope ids; queries to it may fail`);
      }
    }
    return conf;
  }

  private async query(name: string, conf: ResolvConf): Promise<Lookup> {
    const session = this.dns(conf);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Walked>((resolve) => {
      timer = setTimeout(() => resolve({ status: Status.TryAgain }), this.deadlineMs);
    });
    try {
      const walked = await Promise.race([walk(session, searchCandidates(name, conf)), deadline]);
      if ('status' in walked) {
        const failure: Failure = { status: walked.status };
        if (walked.negativeTtl) this.remember(name.toLowerCase(), failure, this.now() + walked.negativeTtl * 1000);
        return failure;
      }
      const answer = { ...walked.found, complete: walked.complete, expires: this.now() + minTtl(walked.found) * 1000 };
      if (answer.complete) this.remember(name.toLowerCase(), { answer }, answer.expires);
      return { answer };
    } finally {
      clearTimeout(timer);
      session.cancel();
    }
  }

  private remember(key: string, lookup: Lookup, expires: number): void {
    if (expires <= this.now()) return;
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { lookup, expires });
  }
}
