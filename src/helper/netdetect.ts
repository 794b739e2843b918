// Which IP versions can this host use right now? An address alone is not
// enough (an IPv6 ULA on a LAN without a router, a stale IPv4 lease), so a
// family counts as usable when the host has both an address and a route of
// that family through a real (non-loopback) interface.
import fs from 'node:fs';
import os from 'node:os';
import { Address4, Address6 } from 'ip-address';

export type NetworkMode = 'auto' | 'dual' | 'ipv6-only' | 'ipv4-only';
export type Network = 'dual' | 'ipv6-only' | 'ipv4-only' | 'none';
export const NETWORK_MODES: readonly NetworkMode[] = ['auto', 'dual', 'ipv6-only', 'ipv4-only'];

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

/**
 * hostIPv4, read again at most every `intervalMs`: the pool consults it for
 * every allocation, and reading the interfaces and the route table each time
 * was most of the cost of a new mapping. A route that appears is respected
 * within the same delay as a change of network (roaming).
 */
export function cachedHostIPv4(sources: NetSources = PROC_SOURCES, intervalMs = 2000, now: () => number = Date.now): () => HostIPv4 {
  let cached: { host: HostIPv4; at: number } | undefined;
  return () => {
    const t = now();
    if (!cached || t - cached.at >= intervalMs) cached = { host: hostIPv4(sources), at: t };
    return cached.host;
  };
}

function ipv4Usable(sources: NetSources): boolean {
  const hasAddress = addresses4(sources).some((i) => {
    const a = new Address4(i.address);
    return !i.internal && !a.isLoopback() && !a.isLinkLocal();
  });
  const hasRoute = routes4(sources).some((r) => {
    const net = new Address4(r.network);
    return r.iface !== LOOPBACK && !net.isHostInSubnet(LINK_LOCAL_4) && !net.isHostInSubnet(MULTICAST_4);
  });
  return hasAddress && hasRoute;
}

function ipv6Usable(sources: NetSources): boolean {
  const hasAddress = lines(sources.ifInet6).some(([hex, , , , flags, iface]) => {
    const a = v6FromHex(hex);
    return iface !== LOOPBACK && (parseInt(flags, 16) & IFA_F_UNUSABLE) === 0 && !a.isLoopback() && !a.isLinkLocal() && !a.isMulticast();
  });
  const hasRoute = lines(sources.ipv6Route).some(([dest, , , , , , , , flags, iface]) => {
    const net = v6FromHex(dest);
    const f = parseInt(flags, 16);
    return iface !== LOOPBACK && (f & (RTF_UP | RTF_REJECT | RTF_LOCAL)) === RTF_UP && !net.isLinkLocal() && !net.isMulticast();
  });
  return hasAddress && hasRoute;
}

export function detectNetwork(sources: NetSources = PROC_SOURCES): Network {
  const v4 = ipv4Usable(sources);
  const v6 = ipv6Usable(sources);
  if (v4 && v6) return 'dual';
  if (v6) return 'ipv6-only';
  return v4 ? 'ipv4-only' : 'none';
}

/** The network the helper reports: the override, or detection at most every `intervalMs` (roaming). */
export class NetworkDetector {
  private cached: { network: Network; at: number } | undefined;

  constructor(
    readonly mode: NetworkMode = 'auto',
    private readonly sources: NetSources = PROC_SOURCES,
    private readonly intervalMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  current(): Network {
    if (this.mode !== 'auto') return this.mode;
    const now = this.now();
    if (!this.cached || now - this.cached.at >= this.intervalMs) this.cached = { network: detectNetwork(this.sources), at: now };
    return this.cached.network;
  }
}
