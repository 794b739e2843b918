// The helper daemon, serving the preload library of every program started
// by `bia run` over a Unix socket (docs/protocol.md): one per user, or one
// shared by the users an admin allows (`bia helper --system`). Here its
// parts are made and wired together: listener.ts (the socket), admission.ts
// (whom to serve), connection.ts (one client), dispatch.ts (the answers),
// network.ts (the network it is on), mappings.ts (the mappings' life).
import { createLogger, heldStderr, resolveLogLevel, type Logger, type LogLevel } from '../log.js';
import { DEFAULT_POOL, DEFAULT_QUOTA_LIMITS, type NetworkMode, type PoolScope, type QuotaLimits } from '../config/values.js';
import type { SynthSettings } from '../mapping/synth-format.js';
import { loadNative, watchNetwork } from '../native.js';
import { socketPath as defaultSocketPath, stateDir as defaultStateDir } from '../paths.js';
import { AddressMapper } from './mapper.js';
import { keepUses, maintain, openMappings, scopedTables } from './mappings.js';
import { NetworkDetector, PROC_SOURCES, type NetSources } from './netdetect.js';
import { nat64Option, newNat64, publishHello, roamed, settle } from './network.js';
import { exeOf, Quotas } from './quota.js';
import { UsageTracker, type Liveness, type UseRecord } from './usage.js';
import { PublishedTable } from './published-table.js';
import { describeAllow, Gate, ownUserOnly, servesOthers, type AllowList, type ConnectionCaps } from './admission.js';
import { Pool } from './pool.js';
import { NameResolver, type DnsTransport } from './resolver.js';
import { Synthesizer } from './synth.js';
import { StateStore } from './statestore.js';
import { dispatcher } from './dispatch.js';
import { accept } from './connection.js';
import { checkInheritedFd, closeListener, listenOnPath, type SocketAccess } from './listener.js';
import { serveLinks } from './stream-conns.js';
import { startDnsEndpoint, type DnsEndpoint } from './dnsendpoint.js';
import { WatchedFile } from './filecache.js';
import { parseResolvConf, resolvConfPath } from './resolvconf.js';
import { listenUseReports } from './use-reports.js';

export interface HelperOptions {
  /** Default: paths.socketPath(). */
  socketPath?: string;
  /** A listening Unix socket to serve instead of creating socketPath (socket activation, listen-fds.ts). */
  listenFd?: number;
  /** Overrides network detection. Default: auto. */
  network?: NetworkMode;
  /** IPv4 pool CIDR. Default: DEFAULT_POOL. */
  pool?: string;
  /** How IPv6 addresses are synthesized for IPv4-only peers. Default: mapped. */
  synth?: SynthSettings;
  /** NAT64 prefix: "auto" (RFC 7050 discovery, the default), "off", or a prefix such as "64:ff9b::/96". */
  nat64?: string;
  /** Default: $BIA_LOG, else info. Ignored when `log` is given. */
  logLevel?: LogLevel;
  log?: Logger;
  /** Default: $BIA_RESOLV_CONF, else /etc/resolv.conf. */
  resolvConfPath?: string;
  hostsPath?: string;
  /** Connections silent this long are closed. Default 30 s. */
  idleTimeoutMs?: number;
  /** A frame begun must be complete this soon (slow-loris clients). Default 5 s. */
  frameTimeoutMs?: number;
  /** Connections one process (SO_PEERCRED pid) may hold open at once. Default 256. */
  maxConnectionsPerPeer?: number;
  /** DNS transport (tests); default c-ares with the servers of resolv.conf. */
  dns?: DnsTransport;
  /** Where the host's addresses and routes are read (tests). */
  netSources?: NetSources;
  /** Whom the helper serves besides its own uid (admission.ts). Default: nobody else. */
  allow?: AllowList;
  /** A helper for several users (`bia helper --system`): its socket is open to all (0666 in a 0755 directory) and admission decides. */
  shared?: boolean;
  /**
   * A root helper for every uid of its container (docs/containers.md): its
   * socket open as a shared helper's, but a path other users cannot reach is
   * only warned about, and it keeps its published table (root's own, 0600:
   * root's programs read it, other users' ask).
   */
  container?: boolean;
  /** Connections one user (SO_PEERCRED uid) may hold open at once, when the helper serves others too. Default 4096. */
  maxConnectionsPerUser?: number;
  /** Seconds clients may cache a pool address. Default DEFAULT_POOL_TTL; a pool address is never reused sooner. */
  poolTtl?: number;
  /** A mapping unused this long expires. Default DEFAULT_IDLE_TIMEOUT_MS (docs/mapping-lifecycle.md). */
  mappingIdleMs?: number;
  /** A pool address waits this long after its last use before it stands for another peer. Default DEFAULT_QUARANTINE_MS. */
  quarantineMs?: number;
  /** Where mappings are kept across restarts. Default: paths.stateDir(). */
  stateDir?: string;
  /** How often expired mappings are swept, dead processes' uses given back and the journal compacted. Default 30 s. */
  sweepIntervalMs?: number;
  /** Allocation quotas and rates (quota.ts). Default DEFAULT_QUOTA_LIMITS. */
  quotas?: Partial<QuotaLimits>;
  /** Who shares a table (docs/mapping-lifecycle.md, Granularity). Default host. */
  scope?: PoolScope;
  /** How dead client processes are noticed (tests). Default /proc. */
  liveness?: Liveness;
  now?: () => number;
}


export interface Helper {
  readonly socketPath: string;
  readonly mapper: AddressMapper;
  close(): Promise<void>;
}

// How often a helper without netlink looks at the network on its own (it has a published table).
const POLL_MS = 2000;

export async function startHelper(options: HelperOptions = {}): Promise<Helper> {
  const socketPath = options.socketPath ?? defaultSocketPath();
  const log = options.log ?? createLogger(resolveLogLevel(options.logLevel, 'info'), 'bia-helper', heldStderr);
  loadNative();
  const sources = options.netSources ?? PROC_SOURCES;
  const nat64Setting = nat64Option(options.nat64);
  const detector = new NetworkDetector(options.network ?? 'auto', sources, undefined, undefined, {
    watch: watchNetwork,
    log,
  });
  const pool = new Pool(options.pool ?? DEFAULT_POOL, () => detector.hostIPv4());
  const synth = new Synthesizer(options.synth);
  const inherited = options.listenFd !== undefined;
  const state = new StateStore(options.stateDir ?? defaultStateDir(), log);
  // Replacing a stale socket file takes the state lock first (listenOrReplaceStale).
  let locked = false;
  let listenFd: number;
  if (inherited) {
    listenFd = options.listenFd!;
    checkInheritedFd(listenFd, socketPath, log);
  } else ({ fd: listenFd, locked } = await listenOnPath(socketPath, log, socketAccess(options), state));
  // The socket file of an inherited socket is systemd's: it stays when the
  // helper ends, so that the next client starts a helper again.
  const socketFile = inherited ? undefined : socketPath;
  // Only the helper that owns the socket touches the saved mappings: one
  // that lost a start-up race must not rewrite the files under the winner.
  let opened: { store: StateStore; mapper: AddressMapper; uses: UseRecord[] };
  try {
    opened = await openMappings(state, locked, pool, synth, options, log);
  } catch (err) {
    detector.close();
    closeListener(undefined, listenFd, socketFile);
    throw err;
  }
  const { store, mapper, uses: savedUseRecords } = opened;
  const now = options.now ?? Date.now;
  const quotas = new Quotas({ ...DEFAULT_QUOTA_LIMITS, ...options.quotas }, now, (caller, why) =>
    log.warn(`refused a new pool mapping to pid ${caller.pid} (uid ${caller.uid}, ${exeOf(caller.pid)}): ${why}`),
  );
  const helperUid = process.getuid!();
  const scope = options.scope ?? 'host';
  const tables = scopedTables(scope, mapper, store, () => new Pool(`${pool.network}/${pool.prefixLength}`, () => detector.hostIPv4()), helperUid, options, log);
  // Uses are journaled for the shared table only (a user's table keeps its
  // mappings across a restart, protected by expiry and quarantine).
  const persistUses = scope === 'host' ? (records: UseRecord[]) => store.appendUses(records) : undefined;
  const usage = new UsageTracker(
    (pid) => tables.ofPid(pid),
    options.liveness,
    (pid) => {
      quotas.forgetProcess(pid);
      tables.forgetProcess(pid);
    },
    persistUses,
  );
  if (persistUses) await keepUses(store, mapper, usage, savedUseRecords, log);
  // A private helper publishes, and a container's root helper for root's
  // programs: the file is the helper's user's alone. A shared helper's users
  // are others, whose allow list is checked per connection; a table per user
  // would need a file per user.
  const published = scope === 'host' && (!options.shared || options.container) ? PublishedTable.open(socketPath, pool, log) : undefined;
  if (published) mapper.publishTo(published);
  const allow = allowList(options, helperUid);
  const gate = new Gate(allow, connectionCaps(options, allow, helperUid), log);
  const times = { idleTimeoutMs: options.idleTimeoutMs ?? 30_000, frameTimeoutMs: options.frameTimeoutMs ?? 5_000 };
  // What the dispatcher, the network watch and the sweep each read.
  const parts = {
    log,
    detector,
    nat64: newNat64(nat64Setting, options, log),
    pool,
    mapper,
    resolver: new NameResolver({ mapper, synth, resolvConfPath: options.resolvConfPath, hostsPath: options.hostsPath, dns: options.dns, log }),
    synth,
    store,
    quotas,
    usage,
    tables,
    published,
  };
  publishHello(parts);
  const handler = dispatcher(parts);
  // Connections made before the saved mappings were read back waited in
  // the listen backlog until now. A client that shuts down its sending
  // side after its requests (nc -U, a script) still gets its replies.
  const serving = serveLinks(listenFd, times, (link, peer) => accept(link, peer, gate, handler, times, log));
  // Programs' USE and RELEASE arrive as datagrams too: a fresh process's first use wakes no connection.
  const useReports = listenUseReports(socketPath, socketAccess(options), allow, handler, log);
  if (useReports) mapper.readPendingUses = () => useReports.drain();
  log.info(`listening on ${socketPath}${inherited ? ` (fd ${options.listenFd} from systemd)` : ''}; pool ${pool.network}/${pool.prefixLength} per ${options.scope ?? 'host'} (${mapper.size} mapping(s) kept in ${store.dir}); serving ${describeAllow(allow)}; network ${detector.current()}${options.network && options.network !== 'auto' ? ' (forced)' : ''}${detector.watched ? '' : ' (polled)'}`);
  detector.onChange((now, before) => roamed(parts, now, before));
  settle(parts, detector.refresh());
  const dns = scope === 'host' ? await dnsEndpoint(socketPath, parts, options, allow, helperUid, log) : undefined;
  const sweeper = setInterval(() => maintain(parts), options.sweepIntervalMs ?? 30_000).unref();
  // Programs read the network from the published table without asking, and
  // a change is published when the detector notices it: without netlink
  // that is when it looks again, so it looks on its own.
  const poller = published && !detector.watched ? setInterval(() => detector.refresh(), POLL_MS).unref() : undefined;
  return {
    socketPath,
    mapper,
    close: async () => {
      clearInterval(sweeper);
      clearInterval(poller);
      await dns?.close();
      detector.close();
      published?.retire();
      useReports?.close();
      closeListener(serving, listenFd, socketFile);
      usage.flush();
      await store.close();
      for (const own of tables.saved()) await own.store.close();
    },
  };
}

// The endpoint for programs' own DNS queries (dnsendpoint.ts), in scope
// host only: its answers come from the one table every program's connect
// looks in. Its new pool addresses are charged to the helper's own account.
function dnsEndpoint(socketPath: string, parts: { resolver: NameResolver; mapper: AddressMapper; synth: Synthesizer; quotas: Quotas; store: StateStore }, options: HelperOptions, allow: AllowList, helperUid: number, log: Logger): Promise<DnsEndpoint | undefined> {
  const resolvConf = new WatchedFile(options.resolvConfPath ?? resolvConfPath(), (text) => parseResolvConf(text));
  const enr = {
    resolver: parts.resolver,
    mapper: parts.mapper,
    synth: parts.synth,
    via: { mapper: parts.mapper, account: parts.quotas.account({ pid: process.pid, uid: helperUid }) },
    resolvConf: () => resolvConf.get(),
    saved: () => parts.store.flush(),
  };
  // Groups cannot be told from a loopback port: only listed uids (or every one) are answered.
  return startDnsEndpoint(socketPath, enr, (uid) => allow.everyone === true || allow.uids.includes(uid), log);
}

// Its own user is always served: it could take the helper over anyway.
function allowList(options: HelperOptions, helperUid: number): AllowList {
  const given = options.allow ?? ownUserOnly(helperUid);
  return { ...given, uids: [...new Set([helperUid, ...given.uids])] };
}

function connectionCaps(options: HelperOptions, allow: AllowList, helperUid: number): ConnectionCaps {
  return {
    perPeer: options.maxConnectionsPerPeer ?? 256,
    // No cap for a helper that serves only its own user.
    perUser: servesOthers(allow, helperUid) ? (options.maxConnectionsPerUser ?? 4096) : Infinity,
  };
}

// Who may reach the socket (listener.ts).
function socketAccess(options: HelperOptions): SocketAccess {
  return options.container ? 'container' : options.shared ? 'shared' : 'own';
}
