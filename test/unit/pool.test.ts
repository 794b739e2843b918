import { describe, expect, it } from 'vitest';
import type { HostIPv4 } from '../../src/helper/netdetect.js';
import { DEFAULT_POOL } from '../../src/config/values.js';
import { Pool } from '../../src/helper/pool.js';

const bareHost = (): HostIPv4 => ({ addresses: [], routes: [] });

function drain(pool: Pool): string[] {
  const out: string[] = [];
  for (let v4 = pool.allocate(); v4; v4 = pool.allocate()) out.push(v4);
  return out;
}

describe('Pool', () => {
  it('defaults to the RFC 2544 benchmarking range', () => {
    const pool = new Pool(undefined, bareHost);
    expect(DEFAULT_POOL).toBe('198.18.0.0/15');
    expect([pool.network, pool.prefixLength]).toEqual(['198.18.0.0', 15]);
    expect(pool.allocate()).toBe('198.18.0.1');
    expect(pool.allocate()).toBe('198.18.0.2');
  });

  it('normalises a CIDR with host bits and rejects anything else', () => {
    expect(new Pool('10.9.8.7/16', bareHost).network).toBe('10.9.0.0');
    expect(() => new Pool('10.0.0.0', bareHost)).toThrow(/CIDR/);
    expect(() => new Pool('10.0.0.0/33', bareHost)).toThrow(/CIDR/);
    expect(() => new Pool('2001:db8::/64', bareHost)).toThrow(/CIDR/);
  });

  it('never hands out network, broadcast, x.x.x.0 or x.x.x.255 addresses', () => {
    const all = drain(new Pool('10.0.0.0/23', bareHost));
    expect(all).toHaveLength(2 * 254);
    expect(all[0]).toBe('10.0.0.1');
    expect(all[253]).toBe('10.0.0.254');
    expect(all[254]).toBe('10.0.1.1');
    expect(all.at(-1)).toBe('10.0.1.254');
    expect(all.some((a) => /\.(0|255)$/.test(a))).toBe(false);
  });

  it('returns undefined when exhausted and reuses released addresses', () => {
    const pool = new Pool('10.0.0.4/30', bareHost);
    expect(drain(pool)).toEqual(['10.0.0.5', '10.0.0.6']);
    expect(pool.allocate()).toBeUndefined();
    pool.release('10.0.0.5');
    expect(pool.allocate()).toBe('10.0.0.5');
  });

  it('reuses a released address only after the fresh ones (clients may still cache it)', () => {
    const pool = new Pool('10.0.0.0/29', bareHost);
    expect([pool.allocate(), pool.allocate()]).toEqual(['10.0.0.1', '10.0.0.2']);
    pool.release('10.0.0.1');
    expect(drain(pool)).toEqual(['10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.1']);
  });

  it('ignores releases of addresses it does not own', () => {
    const pool = new Pool('10.0.0.4/30', bareHost);
    pool.release('192.0.2.1');
    pool.release('10.0.0.5');
    expect(drain(pool)).toEqual(['10.0.0.5', '10.0.0.6']);
  });

  it('allocates a /32 pool address (no network or broadcast to skip)', () => {
    expect(drain(new Pool('10.0.0.7/32', bareHost))).toEqual(['10.0.0.7']);
  });

  it('knows which addresses are its own', () => {
    const pool = new Pool(DEFAULT_POOL, bareHost);
    expect(pool.contains('198.19.255.254')).toBe(true);
    expect(pool.contains('198.20.0.1')).toBe(false);
    expect(pool.contains('198.17.255.255')).toBe(false);
  });

  it('skips the host\'s own addresses and networks it has routes to, checked at each allocation', () => {
    let host: HostIPv4 = { addresses: ['198.18.0.1'], routes: [{ network: '0.0.0.0', prefixLength: 0, iface: 'eth0' }] };
    const pool = new Pool(DEFAULT_POOL, () => host);
    expect(pool.allocate()).toBe('198.18.0.2');
    // A VPN comes up and routes part of the pool (the host source answers a new object).
    host = { ...host, routes: [...host.routes, { network: '198.18.0.0', prefixLength: 24, iface: 'tun0' }] };
    expect(pool.allocate()).toBe('198.18.1.1');
  });

  it('ignores default-route splits such as OpenVPN def1', () => {
    const routes = [
      { network: '0.0.0.0', prefixLength: 1, iface: 'tun0' },
      { network: '128.0.0.0', prefixLength: 1, iface: 'tun0' },
    ];
    expect(new Pool(DEFAULT_POOL, () => ({ addresses: [], routes })).allocate()).toBe('198.18.0.1');
  });

  it('keeps a released address until its quarantine ends, the soonest first', () => {
    const pool = new Pool('10.0.0.4/30', bareHost);
    expect(drain(pool)).toEqual(['10.0.0.5', '10.0.0.6']);
    pool.release('10.0.0.5', 2000);
    pool.release('10.0.0.6', 1000);
    expect(pool.quarantined()).toHaveLength(2);
    expect(pool.allocate(999)).toBeUndefined();
    expect(pool.allocate(1000)).toBe('10.0.0.6');
    expect(pool.allocate(1999)).toBeUndefined();
    expect(pool.allocate(2000)).toBe('10.0.0.5');
  });

  it('skips claimed addresses and hands out nothing during an embargo', () => {
    const pool = new Pool('10.0.0.0/29', bareHost);
    pool.claim('10.0.0.1');
    pool.quarantine('10.0.0.2', 500);
    pool.embargo(100);
    expect(pool.allocate(99)).toBeUndefined();
    expect(pool.embargoedUntil).toBe(100);
    expect(pool.allocate(100)).toBe('10.0.0.3');
    expect(pool.embargoedUntil).toBe(0); // over, so not saved again
  });

  it('re-checks a blocked address once the host stops using it', () => {
    let host: HostIPv4 = { addresses: ['10.0.0.5'], routes: [] };
    const pool = new Pool('10.0.0.4/30', () => host);
    expect(pool.allocate()).toBe('10.0.0.6');
    expect(pool.allocate()).toBeUndefined();
    host = { addresses: [], routes: [] };
    expect(pool.allocate()).toBe('10.0.0.5');
  });

  it('is exhausted when a route covers all of it', () => {
    const routes = [{ network: '10.0.0.0', prefixLength: 8, iface: 'tun0' }];
    expect(new Pool('10.1.0.0/24', () => ({ addresses: [], routes })).allocate()).toBeUndefined();
  });
});

describe('Pool.overlaps', () => {
  const route = (cidr: string, iface = 'wlan0') => ({ network: cidr.split('/')[0], prefixLength: Number(cidr.split('/')[1]), iface });

  it('names the host networks inside the pool, and the one covering all of it', () => {
    const pool = new Pool('198.18.0.0/15');
    const routes = [route('198.18.4.0/24'), route('198.0.0.0/8', 'tun0'), route('192.168.1.0/24'), route('0.0.0.0/0'), route('128.0.0.0/1', 'tun0')];
    expect(pool.overlaps(routes)).toEqual([
      { route: route('198.18.4.0/24'), whole: false },
      { route: route('198.0.0.0/8', 'tun0'), whole: true },
    ]);
  });

  it('finds nothing on an ordinary LAN', () => {
    expect(new Pool().overlaps([route('192.168.1.0/24'), route('10.0.0.0/8', 'tun0')])).toEqual([]);
  });
});
