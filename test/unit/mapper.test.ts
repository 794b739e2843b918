import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { AddressMapper, DEFAULT_POOL_TTL } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import { Kind } from '../../src/wire/messages.js';

// The mapper answers copies of its entries: the same mapping is the same kind and pair.
const same = (e: { kind: number; v4: string; v6: string }) => ({ kind: e.kind, v4: e.v4, v6: e.v6 });

const pool = (cidr = '198.18.0.0/15') => new Pool(cidr, () => ({ addresses: [], routes: [] }));

describe('AddressMapper', () => {
  // The use datagrams wait up to 2 ms for their drain (use-reports.ts): a
  // full pool reads them before it takes an idle address, so an address a
  // connection just started to use is not handed to another peer.
  it('reads the uses on their way before a full pool reclaims an idle address', () => {
    let now = 1_000_000;
    const mapper = new AddressMapper(pool('198.18.0.0/30'), { quarantineMs: 0, poolTtl: 0, now: () => now });
    const first = mapper.mapV6('2001:db8::1')!;
    const second = mapper.mapV6('2001:db8::2')!;
    now += 1000;
    let reads = 0;
    mapper.readPendingUses = () => {
      reads++;
      mapper.hold(first.v4);   // the use of the oldest, read now
    };
    const third = mapper.mapV6('2001:db8::3')!;
    expect(reads).toBe(1);
    expect(third.v4).toBe(second.v4);
    expect(mapper.lookupV4(first.v4)?.v6).toBe('2001:db8::1');
  });

  it('gives an IPv6 address the same pool address while the mapping lives', () => {
    const mapper = new AddressMapper(pool());
    const first = mapper.mapV6('2001:db8::1')!;
    expect(first).toMatchObject({ kind: Kind.Pool, v4: '198.18.0.1', v6: '2001:db8::1', ttl: DEFAULT_POOL_TTL });
    expect(mapper.mapV6('2001:DB8:0:0::1')).toMatchObject(same(first));
    expect(mapper.mapV6('2001:db8::2')?.v4).toBe('198.18.0.2');
    expect(mapper.lookupV4('198.18.0.1')).toMatchObject(same(first));
    expect(mapper.size).toBe(2);
  });

  it('remembers the latest name an entry was made for', () => {
    const mapper = new AddressMapper(pool());
    expect(mapper.mapV6('2001:db8::1')?.name).toBeUndefined();
    expect(mapper.mapV6('2001:db8::1', 0, 'a.example')?.name).toBe('a.example');
    expect(mapper.mapV6('2001:db8::1')?.name).toBe('a.example');
    expect(mapper.mapV6('2001:db8::1', 0, 'b.example')?.name).toBe('b.example');
    expect(mapper.recordPair('192.0.2.1', '2001:db8::a', 300, 'dual.example').name).toBe('dual.example');
    expect(mapper.lookupV4('192.0.2.1')?.name).toBe('dual.example');
  });

  it('answers undefined when the pool is exhausted', () => {
    const mapper = new AddressMapper(pool('10.0.0.4/30'), { poolTtl: 7 });
    expect(mapper.mapV6('2001:db8::1')?.ttl).toBe(7);
    expect(mapper.mapV6('2001:db8::2')).toBeDefined();
    expect(mapper.mapV6('2001:db8::3')).toBeUndefined();
  });

  it('records pairs from DNS without touching the pool', () => {
    const p = pool();
    const mapper = new AddressMapper(p);
    const pair = mapper.recordPair('192.0.2.1', '2001:db8::a', 300);
    expect(pair).toMatchObject({ kind: Kind.Paired, v4: '192.0.2.1', v6: '2001:db8::a', ttl: 300 });
    expect(mapper.lookupV4('192.0.2.1')).toMatchObject(same(pair));
    expect(mapper.mapV6('2001:db8::a')).toMatchObject(same(pair));
    expect(p.allocate()).toBe('198.18.0.1');
  });

  it('prefers a learned pair for an IPv6 address but keeps its older pool entry reachable', () => {
    const mapper = new AddressMapper(pool());
    const pooled = mapper.mapV6('2001:db8::a')!;
    const pair = mapper.recordPair('192.0.2.1', '2001:db8::a', 300);
    expect(mapper.mapV6('2001:db8::a')).toMatchObject(same(pair));
    expect(mapper.lookupV4(pooled.v4)).toMatchObject(same(pooled));
  });

  it('re-pairs an IPv4 address and drops the stale IPv6 index', () => {
    const mapper = new AddressMapper(pool());
    mapper.recordPair('192.0.2.1', '2001:db8::a', 300);
    mapper.recordPair('192.0.2.1', '2001:db8::b', 300);
    expect(mapper.lookupV4('192.0.2.1')?.v6).toBe('2001:db8::b');
    expect(mapper.mapV6('2001:db8::a')?.kind).toBe(Kind.Pool);
  });

  it('returns undefined for an unknown IPv4 address', () => {
    expect(new AddressMapper(pool()).lookupV4('198.18.0.9')).toBeUndefined();
  });

  it('stamps entries with their last use', () => {
    let now = 1000;
    const mapper = new AddressMapper(pool(), { now: () => now });
    const entry = mapper.mapV6('2001:db8::1')!;
    expect(entry.lastUsed).toBe(1000);
    now = 2000;
    expect(mapper.lookupV4(entry.v4)?.lastUsed).toBe(2000);
    now = 3000;
    expect(mapper.mapV6('2001:db8::1')?.lastUsed).toBe(3000);
  });

  it('logs every allocation at info level', () => {
    const lines: string[] = [];
    const mapper = new AddressMapper(pool(), { log: createLogger('info', 'test', (l) => lines.push(l)) });
    mapper.mapV6('2001:db8::1');
    mapper.mapV6('2001:db8::1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/info: pool: 198\.18\.0\.1 stands for 2001:db8::1/);
  });
});
