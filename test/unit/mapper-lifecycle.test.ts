import { describe, expect, it } from 'vitest';
import { AddressMapper, type MapperOptions } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';

// The mapper answers copies of its entries: the same mapping is the same kind and pair.
const same = (e: { kind: number; v4: string; v6: string }) => ({ kind: e.kind, v4: e.v4, v6: e.v6 });

const MIN = 60_000;

// A fake clock; idle timeout 10 min, quarantine 5 min, pool ttl 60 s.
function setup(cidr = '10.0.0.4/30', options: MapperOptions = {}) {
  const clock = { now: 1_000_000 };
  const pool = new Pool(cidr, () => ({ addresses: [], routes: [] }));
  const mapper = new AddressMapper(pool, { idleTimeoutMs: 10 * MIN, quarantineMs: 5 * MIN, poolTtl: 60, now: () => clock.now, ...options });
  const advance = (ms: number) => (clock.now += ms);
  return { clock, pool, mapper, advance };
}

describe('AddressMapper lifecycle', () => {
  it('keeps a mapping while it is used and expires it after the idle timeout', () => {
    const { mapper, advance } = setup();
    const entry = mapper.mapV6('2001:db8::1')!;
    advance(9 * MIN);
    expect(mapper.lookupV4(entry.v4)).toMatchObject(same(entry)); // a use: the timeout starts again
    advance(9 * MIN);
    expect(mapper.mapV6('2001:db8::1')).toMatchObject(same(entry));
    advance(10 * MIN);
    expect(mapper.lookupV4(entry.v4)).toBeUndefined(); // stale: fails cleanly, not revived
    expect(mapper.size).toBe(0);
  });

  it('counts uses and stamps the time until which clients may cache', () => {
    const { mapper, clock } = setup();
    const entry = mapper.mapV6('2001:db8::1', 300)!;
    expect(mapper.lookupV4(entry.v4)).toMatchObject({ uses: 2, inUse: 0, lastUsed: clock.now, cachedUntil: clock.now + 300_000 });
  });

  it('never expires a mapping before the ttl its clients were told has run out', () => {
    const { mapper, advance } = setup();
    const entry = mapper.mapV6('2001:db8::1', 3600)!; // a DNS ttl longer than the idle timeout
    advance(59 * MIN);
    expect(mapper.sweep()).toBe(0);
    expect(mapper.lookupV4(entry.v4)).toMatchObject(same(entry));
  });

  it('renews a mapping the sweep has not removed yet when its peer is asked for again', () => {
    const { mapper, advance } = setup();
    const entry = mapper.mapV6('2001:db8::1')!;
    advance(11 * MIN);
    expect(mapper.mapV6('2001:db8::1')).toMatchObject(same(entry));
  });

  it('returns an expired address to the pool only after the quarantine since its last use', () => {
    // The quarantine is longer than the idle timeout here, so it shows.
    const { mapper, advance } = setup('10.0.0.4/30', { idleTimeoutMs: 2 * MIN, quarantineMs: 5 * MIN });
    const a = mapper.mapV6('2001:db8::a')!;
    const b = mapper.mapV6('2001:db8::b')!;
    advance(3 * MIN);
    expect(mapper.sweep()).toBe(2);
    expect(mapper.mapV6('2001:db8::c')).toBeUndefined(); // both addresses wait in quarantine
    advance(2 * MIN);
    expect(mapper.mapV6('2001:db8::c')?.v4).toBe(a.v4); // the older release first
    expect(mapper.mapV6('2001:db8::d')?.v4).toBe(b.v4);
  });

  it('prefers never-used addresses over released ones', () => {
    const { mapper, advance } = setup('10.0.0.0/29', { idleTimeoutMs: MIN, quarantineMs: MIN });
    const a = mapper.mapV6('2001:db8::a')!;
    advance(2 * MIN);
    mapper.sweep();
    expect(mapper.mapV6('2001:db8::b')?.v4).not.toBe(a.v4);
  });

  it('reuses the least recently used idle mapping when the pool is full, once past its quarantine', () => {
    const { mapper, advance } = setup();
    const a = mapper.mapV6('2001:db8::a')!;
    const b = mapper.mapV6('2001:db8::b')!;
    advance(6 * MIN);
    mapper.lookupV4(a.v4); // a is now the more recent
    const c = mapper.mapV6('2001:db8::c')!;
    expect(c.v4).toBe(b.v4);
    expect(mapper.lookupV4(a.v4)).toMatchObject(same(a));
    expect(mapper.mapV6('2001:db8::b')).toBeUndefined(); // a and c are within their quarantine
  });

  it('fails with an exhausted pool rather than reuse an address within its quarantine', () => {
    const { mapper, advance } = setup();
    mapper.mapV6('2001:db8::a');
    mapper.mapV6('2001:db8::b');
    advance(5 * MIN - 1);
    expect(mapper.mapV6('2001:db8::c')).toBeUndefined();
    advance(1);
    expect(mapper.mapV6('2001:db8::c')).toBeDefined();
  });

  it('finds a reusable pool mapping behind many older DNS pairs', () => {
    const { mapper, advance } = setup();
    for (let i = 1; i <= 40; i++) mapper.recordPair(`192.0.2.${i}`, `2001:db8:2::${i}`, 1);
    mapper.mapV6('2001:db8::a');
    mapper.mapV6('2001:db8::b');
    advance(6 * MIN);
    expect(mapper.mapV6('2001:db8::c')?.v4).toBe('10.0.0.5');
  });

  it('does not reuse an idle mapping whose clients may still cache it', () => {
    const { mapper, advance } = setup();
    mapper.mapV6('2001:db8::a', 3600);
    mapper.mapV6('2001:db8::b', 3600);
    advance(30 * MIN);
    expect(mapper.mapV6('2001:db8::c')).toBeUndefined();
    advance(30 * MIN);
    expect(mapper.mapV6('2001:db8::c')).toBeDefined();
  });

  it('never expires or reuses a mapping a socket holds, and starts its idle time at the release', () => {
    const { mapper, advance } = setup();
    const a = mapper.mapV6('2001:db8::a')!;
    const b = mapper.mapV6('2001:db8::b')!;
    mapper.hold(a.v4);
    mapper.hold(b.v4);
    mapper.hold(b.v4);
    advance(60 * MIN);
    expect(mapper.sweep()).toBe(0);
    expect(mapper.mapV6('2001:db8::c')).toBeUndefined();
    expect(mapper.lookupV4(a.v4)).toMatchObject(same(a));
    mapper.unhold(b.v4);
    expect(mapper.mapV6('2001:db8::c')).toBeUndefined(); // one socket still holds b
    mapper.unhold(b.v4);
    expect(mapper.rows(0, () => true).find((r) => r.v4 === b.v4)?.inUse).toBe(0);
    expect(mapper.mapV6('2001:db8::c')).toBeUndefined(); // released just now: quarantine from here
    advance(5 * MIN);
    expect(mapper.mapV6('2001:db8::c')?.v4).toBe(b.v4);
    expect(mapper.lookupV4(a.v4)).toMatchObject(same(a));
  });

  it('sweeps a bounded number of entries per call and resumes where it stopped', () => {
    const { mapper, advance } = setup('10.0.0.0/24');
    for (let i = 1; i <= 10; i++) mapper.mapV6(`2001:db8::${i}`);
    advance(11 * MIN);
    expect(mapper.sweep(4)).toBe(3); // one step starts the walk
    expect(mapper.sweep(4)).toBe(4);
    expect(mapper.sweep(100)).toBe(3);
    expect(mapper.size).toBe(0);
  });

  it('does not record a repeated DNS pair again, only a new one', () => {
    const records: string[] = [];
    const { mapper } = setup('10.0.0.4/30', { onRecord: (e) => records.push(`${e.v4}=${e.v6}`) });
    mapper.recordPair('192.0.2.1', '2001:db8::a', 60);
    mapper.recordPair('192.0.2.1', '2001:db8::a', 60);
    mapper.mapV6('2001:db8::b');
    mapper.mapV6('2001:db8::b');
    expect(records).toEqual(['192.0.2.1=2001:db8::a', '10.0.0.5=2001:db8::b']);
  });

  it('records a promise to clients that outlives what a restart would assume', () => {
    const records: number[] = [];
    const { mapper, advance } = setup('10.0.0.4/30', { onRecord: (e) => records.push(e.cachedUntil) });
    mapper.mapV6('2001:db8::a', 60);
    advance(MIN);
    mapper.mapV6('2001:db8::a', 60); // covered by the quarantine after a restart
    mapper.mapV6('2001:db8::a', 3600); // not covered
    expect(records).toHaveLength(2);
  });
});
