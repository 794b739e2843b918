import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectNetwork, hostIPv4, NetworkDetector, type NetSources, type NetworkView } from '../../src/helper/netdetect.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'net');

function iface(address: string, internal = false): os.NetworkInterfaceInfo {
  return { address, internal, family: 'IPv4', netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24` };
}

const LAN = () => ({ lo: [iface('127.0.0.1', true)], wlp2s0: [iface('192.168.1.23')] });
const LINK_LOCAL_ONLY = () => ({ lo: [iface('127.0.0.1', true)], wlp2s0: [iface('169.254.7.9')] });

function sources(scenario: string, interfaces: NetSources['interfaces'] = LAN): NetSources {
  const dir = path.join(FIXTURES, scenario);
  return { ifInet6: path.join(dir, 'if_inet6'), ipv6Route: path.join(dir, 'ipv6_route'), ipv4Route: path.join(dir, 'route'), interfaces };
}

describe('detectNetwork', () => {
  it('sees a dual-stack network', () => {
    expect(detectNetwork(sources('dual'))).toBe('dual');
  });

  it('sees an IPv6-only network (a 169.254 address and route are not IPv4)', () => {
    expect(detectNetwork(sources('ipv6-only', LINK_LOCAL_ONLY))).toBe('ipv6-only');
  });

  it('sees an IPv4-only network (link-local IPv6 is not IPv6 connectivity)', () => {
    expect(detectNetwork(sources('ipv4-only'))).toBe('ipv4-only');
  });

  it('sees no network', () => {
    expect(detectNetwork(sources('none', () => ({ lo: [iface('127.0.0.1', true)] })))).toBe('none');
  });

  it('needs an address as well as a route', () => {
    expect(detectNetwork(sources('dual', LINK_LOCAL_ONLY))).toBe('ipv6-only');
  });

  it('treats missing /proc files (IPv6 disabled) as no IPv6', () => {
    const s = { ...sources('dual'), ifInet6: '/nonexistent/if_inet6', ipv6Route: '/nonexistent/ipv6_route' };
    expect(detectNetwork(s)).toBe('ipv4-only');
  });

  it('ignores tentative addresses and routes that only lead to the host itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-net-'));
    // A global address still under duplicate address detection (flag 0x40), and a
    // gVisor-style table where the only non-link-local routes are RTF_LOCAL ones.
    fs.writeFileSync(path.join(dir, 'if_inet6'), '20010db8000100000000000000000042 02 40 00 40   eth0\n');
    fs.copyFileSync(path.join(FIXTURES, 'dual', 'ipv6_route'), path.join(dir, 'ipv6_route'));
    const s = { ...sources('none'), ifInet6: path.join(dir, 'if_inet6'), ipv6Route: path.join(dir, 'ipv6_route') };
    expect(detectNetwork(s)).toBe('none');
    fs.writeFileSync(path.join(dir, 'if_inet6'), '20010db8000100000000000000000042 02 40 00 80   eth0\n');
    fs.writeFileSync(
      path.join(dir, 'ipv6_route'),
      '20010db8000100000000000000000042 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001     eth0\n',
    );
    expect(detectNetwork(s)).toBe('none');
    fs.rmSync(dir, { recursive: true });
  });
});

describe('hostIPv4', () => {
  it('lists the addresses and decodes the routes of /proc/net/route', () => {
    expect(hostIPv4(sources('dual'))).toEqual({
      addresses: ['127.0.0.1', '192.168.1.23'],
      routes: [
        { network: '0.0.0.0', prefixLength: 0, iface: 'wlp2s0' },
        { network: '192.168.1.0', prefixLength: 24, iface: 'wlp2s0' },
      ],
    });
  });
});

describe('NetworkDetector', () => {
  it('lets an override win over detection', () => {
    expect(new NetworkDetector('ipv6-only', sources('ipv4-only')).current()).toBe('ipv6-only');
  });

  it('re-detects at most every interval', () => {
    let now = 0;
    let scenario = 'dual';
    const live: NetSources = {
      get ifInet6() { return sources(scenario).ifInet6; },
      get ipv6Route() { return sources(scenario).ipv6Route; },
      get ipv4Route() { return sources(scenario).ipv4Route; },
      interfaces: LAN,
    };
    const detector = new NetworkDetector('auto', live, 2000, () => now);
    expect(detector.current()).toBe('dual');
    scenario = 'ipv4-only'; // roamed
    now = 1999;
    expect(detector.current()).toBe('dual');
    now = 2000;
    expect(detector.current()).toBe('ipv4-only');
  });

  // Sources that switch scenario under the detector's feet, counting reads.
  function roaming(first: string) {
    const state = { scenario: first, reads: 0 };
    const live: NetSources = {
      get ifInet6() { return sources(state.scenario).ifInet6; },
      get ipv6Route() { return sources(state.scenario).ipv6Route; },
      get ipv4Route() { return sources(state.scenario).ipv4Route; },
      interfaces: () => (state.reads++, state.scenario === 'ipv6-only' ? LINK_LOCAL_ONLY() : LAN()),
    };
    return { state, live };
  }

  it('with a watcher, reads the network only after the kernel reported a change, and tells listeners', async () => {
    const { state, live } = roaming('dual');
    let notify: (err?: Error) => void = () => {};
    let closed = false;
    let now = 0;
    const detector = new NetworkDetector('auto', live, 2000, () => now, {
      watch: (cb) => ((notify = cb), { close: () => (closed = true) }),
      debounceMs: 5,
    });
    const changes: [NetworkView, NetworkView][] = [];
    detector.onChange((after, before) => changes.push([after, before]));
    expect(detector.watched).toBe(true);
    expect(detector.current()).toBe('dual');
    now = 60_000;
    detector.current();
    expect(state.reads).toBe(1); // idle: no polling
    state.scenario = 'ipv6-only';
    notify();
    notify(); // a burst is looked at once
    await new Promise((r) => setTimeout(r, 30));
    expect(changes.map(([after, before]) => `${before.network} -> ${after.network}`)).toEqual(['dual -> ipv6-only']);
    expect(changes[0][0].addresses).not.toContain('192.168.1.23');
    expect(detector.current()).toBe('ipv6-only');
    expect(state.reads).toBe(2);
    detector.close();
    expect(closed).toBe(true);
  });

  it('a request right after a change sees it before the debounce ends', () => {
    const { state, live } = roaming('dual');
    let notify: (err?: Error) => void = () => {};
    const detector = new NetworkDetector('auto', live, 2000, Date.now, { watch: (cb) => ((notify = cb), { close() {} }), debounceMs: 1000 });
    detector.current();
    state.scenario = 'ipv4-only';
    notify();
    expect(detector.current()).toBe('ipv4-only');
    detector.close();
  });

  it('falls back to polling when it cannot watch, or watching fails', () => {
    const logged: string[] = [];
    const log = { warn: (m: string) => logged.push(m) } as unknown as import('../../src/log.js').Logger;
    const failing = new NetworkDetector('auto', sources('dual'), 2000, Date.now, {
      watch: () => {
        throw new Error('netlink socket: Operation not permitted');
      },
      log,
    });
    expect(failing.watched).toBe(false);
    let notify: (err?: Error) => void = () => {};
    const broken = new NetworkDetector('auto', sources('dual'), 2000, Date.now, { watch: (cb) => ((notify = cb), { close() {} }), log });
    notify(new Error('netlink: broken'));
    expect(broken.watched).toBe(false);
    expect(logged).toEqual([expect.stringMatching(/Operation not permitted.*every 2000 ms/), expect.stringMatching(/broken/)]);
  });
});
