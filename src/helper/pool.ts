// The IPv4 addresses the address mapper hands out for IPv6 peers (draft 2.3,
// 6.3, 6.4).
import { Address4 } from 'ip-address';
import { hostIPv4, type HostIPv4 } from './netdetect.js';

/**
 * RFC 2544 benchmarking space. It is not routed on the internet and, unlike
 * RFC 1918 space, not used on the home, office and VPN networks a roaming
 * laptop joins, so a pool address never shadows a real neighbour. The draft's
 * 0.0.0.0/8 is rejected by programs and libraries as "this network", and
 * multicast 224/4 breaks programs (proxychains-ng's experience). Fake-IP tools
 * (clash, sing-box, ...) use this range for the same reasons.
 */
export const DEFAULT_POOL = '198.18.0.0/15';

// Routes shorter than this are default-route splits (OpenVPN's "def1" adds
// 0.0.0.0/1 and 128.0.0.0/1), not networks whose addresses are in use.
const MIN_NETWORK_PREFIX = 8;

function toInt(v4: string): number {
  return Number(new Address4(v4).bigInt());
}

function toText(n: number): string {
  return Address4.fromBigInt(BigInt(n)).correctForm();
}

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (~0 << (32 - prefixLength)) >>> 0;
}

export class Pool {
  readonly network: string;
  readonly prefixLength: number;
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  // Allocation walks the pool in order and wraps around, so a released
  // address is reused as late as possible (clients may still cache it).
  private cursor = 0;

  constructor(
    cidr: string = DEFAULT_POOL,
    private readonly host: () => HostIPv4 = hostIPv4,
  ) {
    if (!cidr.includes('/') || !Address4.isValid(cidr)) throw new Error(`invalid IPv4 pool ${cidr}: expected a CIDR like ${DEFAULT_POOL}`);
    const net = new Address4(cidr);
    this.network = net.startAddress().correctForm();
    this.prefixLength = net.subnetMask;
    this.base = toInt(this.network);
    this.size = 2 ** (32 - this.prefixLength);
  }

  /** The next free address, or undefined when every usable one is taken. */
  allocate(): string | undefined {
    const blocked = this.blockedByHost();
    for (let i = 0; i < this.size; i++) {
      const offset = (this.cursor + i) % this.size;
      const n = this.base + offset;
      if (this.used.has(n) || this.reserved(offset, n) || blocked(n)) continue;
      this.used.add(n);
      this.cursor = (offset + 1) % this.size;
      return toText(n);
    }
    return undefined;
  }

  release(v4: string): void {
    if (this.contains(v4)) this.used.delete(toInt(v4));
  }

  contains(v4: string): boolean {
    return ((toInt(v4) & maskOf(this.prefixLength)) >>> 0) === this.base;
  }

  // The pool's network and broadcast addresses, and any x.x.x.0 or x.x.x.255,
  // which classful-minded programs treat as broadcast.
  private reserved(offset: number, n: number): boolean {
    const edge = this.size > 2 && (offset === 0 || offset === this.size - 1);
    return edge || (n & 0xff) === 0 || (n & 0xff) === 0xff;
  }

  // Read at every allocation so that an address or route that appeared
  // since the last one (a VPN, a new LAN) is respected.
  private blockedByHost(): (n: number) => boolean {
    const { addresses, routes } = this.host();
    const own = new Set(addresses.map(toInt));
    const nets = routes
      .filter((r) => r.prefixLength >= MIN_NETWORK_PREFIX)
      .map((r) => ({ net: toInt(r.network), mask: maskOf(r.prefixLength) }));
    return (n) => own.has(n) || nets.some(({ net, mask }) => ((n & mask) >>> 0) === net);
  }
}
