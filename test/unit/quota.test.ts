// Allocation quotas and rates (quota.ts) and mapping uses (usage.ts) with a
// fake clock and fake processes, through the address mapper.
import { describe, expect, it } from 'vitest';
import { AddressMapper, type MapperEntry } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import type { QuotaLimits } from '../../src/config/values.js';
import { Quotas, type Caller } from '../../src/helper/quota.js';
import { UsageTracker } from '../../src/helper/usage.js';
import { Status } from '../../src/wire/messages.js';

// The mapper answers copies of its entries: the same mapping is the same kind and pair.
const same = (e: MapperEntry | Status) => (typeof e === 'object' ? { kind: e.kind, v4: e.v4, v6: e.v6 } : { status: e });

const MIN = 60_000;
const A: Caller = { pid: 100, uid: 1000 };
const B: Caller = { pid: 200, uid: 1000 };
const C: Caller = { pid: 300, uid: 2000 };

function setup(limits: Partial<QuotaLimits> = {}, cidr = '10.0.0.0/24') {
  const clock = { now: 1_000_000 };
  const refusals: string[] = [];
  const quotas = new Quotas({ perProcess: 3, perUser: 5, ratePerProcess: 100, ratePerUser: 100, ...limits }, () => clock.now, (who, why) => refusals.push(`${who.pid}: ${why}`));
  const pool = new Pool(cidr, () => ({ addresses: [], routes: [] }));
  const mapper = new AddressMapper(pool, { idleTimeoutMs: 10 * MIN, quarantineMs: 5 * MIN, poolTtl: 60, now: () => clock.now });
  let n = 0;
  const map = (who: Caller, v6 = `2001:db8::${(++n).toString(16)}`) => mapper.request(v6, { account: quotas.account(who) });
  return { clock, quotas, mapper, map, refusals };
}

describe('allocation quotas', () => {
  it('refuses a process over its quota with QUOTA, and only that process', () => {
    const { map, refusals } = setup();
    expect([1, 2, 3].map(() => typeof map(A))).toEqual(['object', 'object', 'object']);
    expect(map(A)).toBe(Status.Quota);
    expect(typeof map(B)).toBe('object');
    expect(refusals).toEqual(['100: process 100 already has 3 pool mappings, its quota']);
  });

  it('never charges a mapping that exists already, so programs share a peer for free', () => {
    const { map } = setup({ perProcess: 1 });
    const first = map(A, '2001:db8::77');
    expect(typeof first).toBe('object');
    expect(map(A, '2001:db8::77')).toMatchObject(same(first));
    expect(map(B, '2001:db8::77')).toMatchObject(same(first));
  });

  it('caps a user over all its processes, and not another user', () => {
    const { map } = setup({ perProcess: 10, perUser: 4 });
    for (let i = 0; i < 2; i++) map(A);
    for (let i = 0; i < 2; i++) map(B);
    expect(map(A)).toBe(Status.Quota);
    expect(map(B)).toBe(Status.Quota);
    expect(typeof map(C)).toBe('object');
  });

  it('gives the quota back when a mapping expires', () => {
    const { map, mapper, clock } = setup({ perProcess: 2 });
    map(A);
    map(A);
    expect(map(A)).toBe(Status.Quota);
    clock.now += 11 * MIN;
    expect(mapper.sweep()).toBe(2);
    expect(typeof map(A)).toBe('object');
  });

  it('limits the rate: a burst of ten seconds passes, then one per 1/rate seconds', () => {
    const { map, clock } = setup({ perProcess: 1000, perUser: 1000, ratePerProcess: 2 });
    const burst = Array.from({ length: 21 }, () => map(A));
    expect(burst.filter((r) => typeof r === 'object')).toHaveLength(20);
    expect(burst[20]).toBe(Status.Quota);
    clock.now += 250;
    expect(map(A)).toBe(Status.Quota);
    clock.now += 250;
    expect(typeof map(A)).toBe('object');
  });

  it('logs a process that keeps hitting its limit once per ten seconds, not per refusal', () => {
    const { map, refusals, clock } = setup({ perProcess: 1 });
    map(A);
    for (let i = 0; i < 50; i++) map(A);
    expect(refusals).toHaveLength(1);
    clock.now += 10_000;
    map(A);
    expect(refusals).toHaveLength(2);
  });

  it('starts a reused pid afresh once its process is forgotten', () => {
    const { map, quotas } = setup({ perProcess: 1 });
    map(A);
    expect(map(A)).toBe(Status.Quota);
    quotas.forgetProcess(A.pid);
    expect(typeof map(A)).toBe('object');
  });
});

describe('mapping uses', () => {
  function tracked(cidr = '10.0.0.4/30') {
    const s = setup({}, cidr);
    const processes = new Map<number, string>([[A.pid, 'start-a'], [B.pid, 'start-b']]);
    const gone: number[] = [];
    const usage = new UsageTracker(() => s.mapper, { startTime: (pid) => processes.get(pid) }, (pid) => gone.push(pid));
    return { ...s, usage, processes, gone };
  }

  it('holds a used mapping through idle timeout and a full pool, and lets it go when the last use ends', () => {
    const { mapper, usage, clock } = tracked(); // 10.0.0.5 and 10.0.0.6
    const used = mapper.mapV6('2001:db8::1')!;
    const idle = mapper.mapV6('2001:db8::2')!;
    usage.use(A.pid, [used.v4]);
    usage.use(B.pid, [used.v4]);
    clock.now += 60 * MIN;
    expect(mapper.sweep()).toBe(1); // the idle one
    expect(mapper.mapV6('2001:db8::3')?.v4).toBe(idle.v4);
    expect(mapper.mapV6('2001:db8::4')).toBeUndefined(); // the used one is not taken
    expect(mapper.lookupV4(used.v4)?.inUse).toBe(2);
    usage.release(A.pid, [used.v4]);
    usage.release(A.pid, [used.v4]); // a second release of A's one use changes nothing
    expect(mapper.lookupV4(used.v4)?.inUse).toBe(1);
    usage.release(B.pid, [used.v4]);
    expect(mapper.lookupV4(used.v4)?.inUse).toBe(0);
    clock.now += 11 * MIN;
    expect(mapper.sweep()).toBe(2); // idle now, it expires like any other
  });

  it('gives back the uses of a process that ended, or whose pid now belongs to another', () => {
    const { mapper, usage, processes, gone } = tracked();
    const e = mapper.mapV6('2001:db8::1')!;
    usage.use(A.pid, [e.v4, e.v4]);
    usage.use(B.pid, [e.v4]);
    expect(usage.reap()).toBe(0);
    processes.delete(A.pid);
    processes.set(B.pid, 'another-start'); // B died and its pid was reused
    expect(usage.reap()).toBe(2);
    expect(gone).toEqual([A.pid, B.pid]);
    expect(mapper.lookupV4(e.v4)?.inUse).toBe(0);
  });

  it('ignores uses of addresses it does not map, and releases never announced', () => {
    const { mapper, usage } = tracked();
    usage.use(A.pid, ['192.0.2.1']);
    usage.release(B.pid, ['10.0.0.5']);
    expect(mapper.size).toBe(0);
  });
});

describe('the table', () => {
  it('lists each mapping with its age, idle time, uses and sockets, page by page', () => {
    const { mapper, clock } = setup();
    const a = mapper.mapV6('2001:db8::1', 0, 'one.example')!;
    clock.now += 5000;
    mapper.mapV6('2001:db8::2');
    mapper.hold(a.v4);
    const rows = mapper.rows(0, () => true);
    expect(rows).toEqual([
      { kind: 3, v4: '10.0.0.1', v6: '2001:db8::1', name: 'one.example', age: 5, idle: 0, uses: 1, inUse: 1 },
      { kind: 3, v4: '10.0.0.2', v6: '2001:db8::2', name: '', age: 0, idle: 0, uses: 1, inUse: 0 },
    ]);
    expect(mapper.rows(1, () => true).map((r) => r.v4)).toEqual(['10.0.0.2']);
    expect(mapper.rows(0, (r) => r.v4 !== '10.0.0.2')).toHaveLength(1);
  });
});
