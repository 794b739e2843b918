// Which IP versions can this host use right now? An address alone is not
// enough (an IPv6 ULA on a LAN without a router, a stale IPv4 lease), so a
// family counts as usable when the host has both an address and a route of
// that family through a real (non-loopback) interface.
import fs from 'node:fs';
import os from 'node:os';
import { Address4, Address6 } from 'ip-address';
import type { NetworkMode } from '../config/values.js';
import type { Logger } from '../log.js';
import type { Closable } from '../native.js';

export type Network = 'dual' | 'ipv6-only' | 'ipv4-only' | 'none';

export interface Route4 {
  network: string;
  prefixLength: number;
  iface: string;
}

/** What the pool must stay clear of: the host's own IPv4 addresses and routes. */
export interface HostIPv4 {
  addresses: string[];
  routes: Route4[];
}

/** Where the kernel's view comes from; tests point these at fixtures. */
export interface NetSources {
  ifInet6: string;
  ipv6Route: string;
  ipv4Route: string;
  interfaces: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

export const PROC_SOURCES: NetSources = {
  ifInet6: '/proc/net/if_inet6',
  ipv6Route: '/proc/net/ipv6_route',
  ipv4Route: '/proc/net/route',
  interfaces: os.networkInterfaces,
};

// Linux always names its loopback interface "lo".
const LOOPBACK = 'lo';
// linux/route.h and linux/ipv6_route.h
const RTF_UP = 0x1;
const RTF_REJECT = 0x200;
const RTF_LOCAL = 0x80000000;
// linux/if_addr.h: an address still under (or failed) duplicate address detection cannot be used.
const IFA_F_UNUSABLE = 0x40 | 0x08;
const LINK_LOCAL_4 = new Address4('169.254.0.0/16');
const MULTICAST_4 = new Address4('224.0.0.0/4');

function lines(file: string): string[][] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch {
    return []; // no such file: the family is disabled in this kernel
  }
  return text.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length > 1);
}

function v6FromHex(hex: string): Address6 {
  return Address6.fromByteArray([...Buffer.from(hex, 'hex')]);
}

// /proc/net/route prints addresses as the hex of a host-endian u32.
function v4FromHex(hex: string): Address4 {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(parseInt(hex, 16));
  if (os.endianness() === 'LE') bytes.reverse();
  return Address4.fromByteArray([...bytes]);
}

function routes4(sources: NetSources): Route4[] {
  const out: Route4[] = [];
  for (const [iface, dest, , flags, , , , mask] of lines(sources.ipv4Route).slice(1)) {
    if ((parseInt(flags, 16) & (RTF_UP | RTF_REJECT)) !== RTF_UP) continue;
    try {
      const net = Address4.fromAddressAndMask(v4FromHex(dest).correctForm(), v4FromHex(mask).correctForm());
      out.push({ network: net.startAddress().correctForm(), prefixLength: net.subnetMask, iface });
    } catch {
      continue; // a non-contiguous mask: not something the pool or detection can use
    }
  }
  return out;
}

function addresses4(sources: NetSources): { address: string; internal: boolean }[] {
  return Object.values(sources.interfaces())
    .flat()
    .filter((i): i is os.NetworkInterfaceInfo => i?.family === 'IPv4');
}

export function hostIPv4(sources: NetSources = PROC_SOURCES): HostIPv4 {
  return { addresses: addresses4(sources).map((i) => i.address), routes: routes4(sources) };
}

// The addresses that make a family usable, or none when it has no route
// through a real interface.
function usable4(interfaces: { address: string; internal: boolean }[], routes: Route4[]): string[] {
  const addresses = interfaces
    .filter((i) => {
      const a = new Address4(i.address);
      return !i.internal && !a.isLoopback() && !a.isLinkLocal();
    })
    .map((i) => i.address);
  const hasRoute = routes.some((r) => {
    const net = new Address4(r.network);
    return r.iface !== LOOPBACK && !net.isHostInSubnet(LINK_LOCAL_4) && !net.isHostInSubnet(MULTICAST_4);
  });
  return hasRoute ? addresses : [];
}

// IPv6 routes that leave the host (a new router, a route to a NAT64 prefix).
function routes6(sources: NetSources): string[] {
  return lines(sources.ipv6Route)
    .filter(([dest, , , , , , , , flags, iface]) => {
      const f = parseInt(flags, 16);
      return iface !== LOOPBACK && (f & (RTF_UP | RTF_REJECT | RTF_LOCAL)) === RTF_UP && !v6FromHex(dest).isLinkLocal() && !v6FromHex(dest).isMulticast();
    })
    .map(([dest, len, , , gateway]) => `${v6FromHex(dest).correctForm()}/${parseInt(len, 16)} via ${v6FromHex(gateway).correctForm()}`);
}

function usable6(sources: NetSources): string[] {
  const addresses = lines(sources.ifInet6)
    .filter(([hex, , , , flags, iface]) => {
      const a = v6FromHex(hex);
      return iface !== LOOPBACK && (parseInt(flags, 16) & IFA_F_UNUSABLE) === 0 && !a.isLoopback() && !a.isLinkLocal() && !a.isMulticast();
    })
    .map(([hex]) => v6FromHex(hex).correctForm());
  return routes6(sources).length ? addresses : [];
}

/** What the helper knows of the access network, read in one go. */
export interface NetworkView {
  network: Network;
  /** The usable addresses of both families, sorted: another set is another network, even in the same mode. */
  addresses: string[];
  /** What the pool must stay clear of. */
  host: HostIPv4;
  /** The IPv6 routes that leave the host: only compared, to notice a change. */
  routes6: string[];
}

export function viewNetwork(sources: NetSources = PROC_SOURCES): NetworkView {
  const interfaces = addresses4(sources);
  const host = { addresses: interfaces.map((i) => i.address), routes: routes4(sources) };
  const v4 = usable4(interfaces, host.routes);
  const v6 = usable6(sources);
  const network = v4.length && v6.length ? 'dual' : v6.length ? 'ipv6-only' : v4.length ? 'ipv4-only' : 'none';
  return { network, addresses: [...v4, ...v6].sort(), host, routes6: routes6(sources).sort() };
}

export function detectNetwork(sources: NetSources = PROC_SOURCES): Network {
  return viewNetwork(sources).network;
}

function sameView(a: NetworkView, b: NetworkView): boolean {
  const routes = (v: NetworkView) => v.host.routes.map((r) => `${r.network}/${r.prefixLength}`).join(' ');
  return a.network === b.network && a.addresses.join(' ') === b.addresses.join(' ') && routes(a) === routes(b) && a.routes6.join(' ') === b.routes6.join(' ');
}

/** Starts watching for changes of addresses and routes; see native.ts watchNetwork. */
export type Watcher = (onChange: (err?: Error) => void) => Closable;

export interface DetectorOptions {
  /** How changes are noticed. Without one (or when it fails), the view is re-read at most every `intervalMs`, when asked. */
  watch?: Watcher;
  /** Changes usually come in bursts (an address, then its routes): they are looked at once, this long after the first. */
  debounceMs?: number;
  log?: Logger;
}

export type ChangeListener = (now: NetworkView, before: NetworkView) => void;

/**
 * The network the helper reports: the override, or detection (roaming).
 * With a watcher, the view is re-read only after the kernel said that
 * addresses or routes changed, so an idle helper does no work; without,
 * at most every `intervalMs`, when a request asks. Listeners hear of every
 * change of mode, addresses or IPv4 routes.
 */
export class NetworkDetector {
  private view: NetworkView | undefined;
  private readAt = 0;
  private stale = true;
  private watching: Closable | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly listeners: ChangeListener[] = [];

  constructor(
    readonly mode: NetworkMode = 'auto',
    private readonly sources: NetSources = PROC_SOURCES,
    private readonly intervalMs = 2000,
    private readonly now: () => number = Date.now,
    private readonly options: DetectorOptions = {},
  ) {
    if (options.watch) this.watch(options.watch);
  }

  current(): Network {
    return this.mode === 'auto' ? this.refresh().network : this.mode;
  }

  hostIPv4(): HostIPv4 {
    return this.refresh().host;
  }

  /** Whether changes are noticed as they happen (else by polling). */
  get watched(): boolean {
    return this.watching !== undefined;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watching?.close();
    this.watching = undefined;
  }

  /** The current view, read again when it may be out of date. */
  refresh(): NetworkView {
    const due = this.watching ? this.stale : this.stale || this.now() - this.readAt >= this.intervalMs;
    if (this.view && !due) return this.view;
    const before = this.view;
    this.view = viewNetwork(this.sources);
    this.readAt = this.now();
    this.stale = false;
    if (before && !sameView(before, this.view)) {
      for (const listener of this.listeners) listener(this.view, before);
    }
    return this.view;
  }

  private watch(watcher: Watcher): void {
    try {
      this.watching = watcher((err) => (err ? this.unwatch(err) : this.changed()));
    } catch (err) {
      this.unwatch(err as Error);
    }
  }

  private unwatch(err: Error): void {
    this.watching?.close();
    this.watching = undefined;
    this.options.log?.warn(`cannot watch the network for changes (${err.message}); looking again at most every ${this.intervalMs} ms instead`);
  }

  // A request in between sees the change at once (stale); the timer makes
  // sure listeners hear of it even when no request comes.
  private changed(): void {
    this.stale = true;
    this.debounce ??= setTimeout(() => {
      this.debounce = undefined;
      this.refresh();
    }, this.options.debounceMs ?? 100).unref();
  }
}
