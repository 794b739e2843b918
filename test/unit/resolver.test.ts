import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AddressMapper } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import { parseResolvConf } from '../../src/helper/resolvconf.js';
import { NameResolver, searchCandidates, type DnsTransport, type QueryOutcome, type RecordType } from '../../src/helper/resolver.js';
import { Kind, Status } from '../../src/wire/messages.js';

type Zone = Record<string, Partial<Record<RecordType, QueryOutcome>>>;

const ok = (ttl: number, ...addresses: string[]): QueryOutcome => ({ kind: 'ok', records: addresses.map((address) => ({ address, ttl })) });
const fail = (kind: 'nxdomain' | 'nodata' | 'servfail' | 'unreachable'): QueryOutcome => ({ kind });

/** A DNS that answers from `zone`: names it lists exist (missing types are NODATA), others are NXDOMAIN. */
function fakeDns(zone: Zone, delay?: Promise<void>) {
  const log = { queries: [] as string[], cancels: 0, inFlight: 0, maxInFlight: 0 };
  const transport: DnsTransport = () => ({
    async query(name, type) {
      log.queries.push(`${type} ${name}`);
      log.maxInFlight = Math.max(log.maxInFlight, ++log.inFlight);
      await (delay ?? Promise.resolve());
      log.inFlight--;
      const entry = zone[name];
      return entry ? (entry[type] ?? fail('nodata')) : fail('nxdomain');
    },
    cancel: () => void log.cancels++,
  });
  return { transport, log };
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true })));

function setup(zone: Zone, options: { resolvConf?: string; hosts?: string; pool?: string; now?: () => number; deadlineMs?: number; delay?: Promise<void> } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-resolver-'));
  dirs.push(dir);
  const resolvConfPath = path.join(dir, 'resolv.conf');
  const hostsPath = path.join(dir, 'hosts');
  fs.writeFileSync(resolvConfPath, options.resolvConf ?? 'nameserver 192.0.2.53\nsearch corp.example lab.example\n');
  fs.writeFileSync(hostsPath, options.hosts ?? '');
  const mapper = new AddressMapper(new Pool(options.pool ?? '198.18.0.0/15', () => ({ addresses: [], routes: [] })));
  const { transport, log } = fakeDns(zone, options.delay);
  const resolver = new NameResolver({ mapper, resolvConfPath, hostsPath, dns: transport, now: options.now, deadlineMs: options.deadlineMs });
  return { resolver, mapper, log, resolvConfPath };
}

describe('searchCandidates (glibc res_search order)', () => {
  const conf = (text: string) => parseResolvConf(text, 'laptop');

  it('tries a name with fewer dots than ndots with the search list first', () => {
    expect(searchCandidates('www', conf('search a.example b.example'))).toEqual(['www.a.example', 'www.b.example', 'www']);
    expect(searchCandidates('www.x', conf('search a.example\noptions ndots:2'))).toEqual(['www.x.a.example', 'www.x']);
  });

  it('tries a name with at least ndots dots as-is first', () => {
    expect(searchCandidates('www.example.com', conf('search a.example'))).toEqual(['www.example.com', 'www.example.com.a.example']);
  });

  it('tries an absolute name only as-is', () => {
    expect(searchCandidates('www.', conf('search a.example'))).toEqual(['www']);
    expect(searchCandidates('.', conf('search a.example'))).toEqual([]);
  });

  it('skips candidates longer than a DNS name can be', () => {
    const long = 'x'.repeat(250);
    expect(searchCandidates(long, conf('search a.example'))).toEqual([long]);
  });
});

describe('NameResolver.resolve4', () => {
  it('answers NATIVE entries for an A-only name', async () => {
    const { resolver } = setup({ 'v4.example.com': { A: ok(300, '192.0.2.1', '192.0.2.2') } });
    expect(await resolver.resolve4('v4.example.com')).toEqual({
      status: Status.Ok,
      canon: 'v4.example.com',
      entries: [
        { kind: Kind.Native, v4: '192.0.2.1', v6: '::', ttl: 300 },
        { kind: Kind.Native, v4: '192.0.2.2', v6: '::', ttl: 300 },
      ],
    });
  });

  it('pairs A with AAAA round robin, records the pairs, and uses the smallest TTL', async () => {
    const { resolver, mapper } = setup({ 'dual.example.com': { A: ok(300, '192.0.2.1', '192.0.2.2', '192.0.2.3'), AAAA: ok(60, '2001:db8::1', '2001:db8::2') } });
    const result = await resolver.resolve4('dual.example.com');
    expect(result.status === Status.Ok && result.entries.map((e) => [e.kind, e.v4, e.v6, e.ttl])).toEqual([
      [Kind.Paired, '192.0.2.1', '2001:db8::1', 60],
      [Kind.Paired, '192.0.2.2', '2001:db8::2', 60],
      [Kind.Paired, '192.0.2.3', '2001:db8::1', 60],
    ]);
    expect(mapper.lookupV4('192.0.2.2')).toMatchObject({ kind: Kind.Paired, v6: '2001:db8::2', name: 'dual.example.com' });
  });

  it('maps every AAAA-only address to a pool address, in order (Appendix A)', async () => {
    const { resolver, mapper } = setup({ 'v6.example.com': { AAAA: ok(120, '2001:db8::1', '2001:db8::2') } });
    const result = await resolver.resolve4('v6.example.com');
    expect(result.status === Status.Ok && result.entries.map((e) => [e.kind, e.v4, e.v6, e.ttl])).toEqual([
      [Kind.Pool, '198.18.0.1', '2001:db8::1', 120],
      [Kind.Pool, '198.18.0.2', '2001:db8::2', 120],
    ]);
    expect(mapper.lookupV4('198.18.0.2')?.v6).toBe('2001:db8::2');
    expect(mapper.lookupV4('198.18.0.2')?.name).toBe('v6.example.com'); // for NAME4
    const again = await resolver.resolve4('v6.example.com');
    expect(again.status === Status.Ok && again.entries.map((e) => e.v4)).toEqual(['198.18.0.1', '198.18.0.2']);
  });

  it('lets clients cache a pool entry for the mapping lifetime even when the AAAA record has TTL 0', async () => {
    const { resolver } = setup({ 'zero.example.com': { AAAA: ok(0, '2001:db8::1') } });
    const result = await resolver.resolve4('zero.example.com');
    expect(result.status === Status.Ok && result.entries[0].ttl).toBe(60);
  });

  it('reports pool exhaustion when no AAAA address can be mapped', async () => {
    const { resolver } = setup({ 'v6.example.com': { AAAA: ok(120, '2001:db8::1') } }, { pool: '10.0.0.0/32' });
    expect(await resolver.resolve4('v6.example.com')).toEqual({ status: Status.PoolExhausted });
  });

  it('caps the answer at 32 entries', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
    const { resolver } = setup({ 'many.example.com': { A: ok(300, ...many) } });
    const result = await resolver.resolve4('many.example.com');
    expect(result.status === Status.Ok && result.entries.length).toBe(32);
  });

  it('asks A and AAAA in parallel', async () => {
    const { resolver, log } = setup({ 'v4.example.com': { A: ok(300, '192.0.2.1') } });
    await resolver.resolve4('v4.example.com');
    expect(log.maxInFlight).toBe(2);
  });

  it('walks the search list past NXDOMAIN and answers with the qualified name', async () => {
    const { resolver, log } = setup({ 'www.lab.example': { A: ok(300, '192.0.2.7') } });
    const result = await resolver.resolve4('www');
    expect(result).toMatchObject({ status: Status.Ok, canon: 'www.lab.example' });
    expect(log.queries.filter((q) => q.startsWith('A '))).toEqual(['A www.corp.example', 'A www.lab.example']);
  });

  it('reports NXDOMAIN everywhere as NOT_FOUND', async () => {
    const { resolver, log } = setup({});
    expect(await resolver.resolve4('nowhere')).toEqual({ status: Status.NotFound });
    expect(log.queries.filter((q) => q.startsWith('A '))).toEqual(['A nowhere.corp.example', 'A nowhere.lab.example', 'A nowhere']);
  });

  it('remembers NODATA and reports it when nothing else answers', async () => {
    const { resolver } = setup({ 'mx.corp.example': {} });
    expect(await resolver.resolve4('mx')).toEqual({ status: Status.NoData });
  });

  it('moves on after SERVFAIL but reports TRY_AGAIN if nothing answers', async () => {
    const broken = { A: fail('servfail'), AAAA: fail('servfail') };
    expect(await setup({ 'www.corp.example': broken, 'www.lab.example': { A: ok(300, '192.0.2.7') } }).resolver.resolve4('www')).toMatchObject({ status: Status.Ok });
    expect(await setup({ 'www.corp.example': broken }).resolver.resolve4('www')).toEqual({ status: Status.TryAgain });
  });

  it('stops searching when the servers do not answer', async () => {
    const { resolver, log } = setup({ 'www.corp.example': { A: fail('unreachable'), AAAA: fail('unreachable') }, 'www.lab.example': { A: ok(300, '192.0.2.7') } });
    expect(await resolver.resolve4('www')).toEqual({ status: Status.TryAgain });
    expect(log.queries).not.toContain('A www.lab.example');
  });

  it('gives up at the deadline and cancels the queries', async () => {
    const { resolver, log } = setup({}, { deadlineMs: 30, delay: new Promise(() => {}) });
    expect(await resolver.resolve4('slow.example.com')).toEqual({ status: Status.TryAgain });
    expect(log.cancels).toBe(1);
  });

  it('caches an answer for its TTL, counting the TTL down', async () => {
    let now = 0;
    const { resolver, log } = setup({ 'v4.example.com': { A: ok(300, '192.0.2.1') } }, { now: () => now });
    await resolver.resolve4('v4.example.com');
    now = 100_000;
    const cached = await resolver.resolve4('V4.Example.COM');
    expect(cached.status === Status.Ok && cached.entries[0].ttl).toBe(200);
    expect(log.queries).toHaveLength(2);
    now = 300_000;
    await resolver.resolve4('v4.example.com');
    expect(log.queries).toHaveLength(4);
  });

  it('does not cache an answer half of which failed', async () => {
    const { resolver, log } = setup({ 'v4.example.com': { A: ok(300, '192.0.2.1'), AAAA: fail('servfail') } });
    await resolver.resolve4('v4.example.com');
    await resolver.resolve4('v4.example.com');
    expect(log.queries).toHaveLength(4);
  });

  it('forgets cached answers when resolv.conf changes (roaming)', async () => {
    const { resolver, log, resolvConfPath } = setup({ 'v4.example.com': { A: ok(300, '192.0.2.1') } });
    await resolver.resolve4('v4.example.com');
    fs.writeFileSync(resolvConfPath, 'nameserver 192.0.2.99\nsearch elsewhere.example\n');
    await resolver.resolve4('v4.example.com');
    expect(log.queries).toHaveLength(4);
  });

  it('coalesces concurrent identical queries', async () => {
    let release!: () => void;
    const { resolver, log } = setup({ 'v4.example.com': { A: ok(300, '192.0.2.1') } }, { delay: new Promise((r) => (release = r)) });
    const both = Promise.all([resolver.resolve4('v4.example.com'), resolver.resolve4('v4.example.com')]);
    release();
    const [a, b] = await both;
    expect(a).toEqual(b);
    expect(log.queries).toHaveLength(2);
  });

  it('answers from /etc/hosts before DNS: IPv4 addresses as they are, IPv6-only ones pool-mapped', async () => {
    const hosts = '192.0.2.5 both.lan\n2001:db8::5 both.lan\n2001:db8::6 v6.lan\n';
    const { resolver, log, mapper } = setup({ 'both.lan': { A: ok(300, '203.0.113.1') } }, { hosts });
    expect(await resolver.resolve4('Both.LAN')).toEqual({ status: Status.Ok, canon: 'both.lan', entries: [{ kind: Kind.Native, v4: '192.0.2.5', v6: '::', ttl: 60 }] });
    expect(await resolver.resolve4('v6.lan')).toMatchObject({ status: Status.Ok, entries: [{ kind: Kind.Pool, v4: '198.18.0.1', v6: '2001:db8::6' }] });
    expect(mapper.lookupV4('198.18.0.1')?.name).toBe('v6.lan');
    expect(log.queries).toEqual([]);
  });

  it('answers address literals without DNS, pool-mapping IPv6 ones', async () => {
    const { resolver, log, mapper } = setup({});
    expect(await resolver.resolve4('192.0.2.9')).toMatchObject({ status: Status.Ok, entries: [{ kind: Kind.Native, v4: '192.0.2.9' }] });
    expect(await resolver.resolve4('2001:db8::9')).toMatchObject({ status: Status.Ok, entries: [{ kind: Kind.Pool, v4: '198.18.0.1', v6: '2001:db8::9' }] });
    expect(log.queries).toEqual([]);
    expect(mapper.lookupV4('198.18.0.1')?.name).toBeUndefined(); // a literal is no name to answer reverse lookups with
  });
});

describe('NameResolver.resolve6 (IPv6 programs)', () => {
  it('synthesizes an IPv4-mapped address for an A-only name', async () => {
    const { resolver } = setup({ 'v4.example.com': { A: ok(300, '198.51.100.2', '198.51.100.3') } });
    expect(await resolver.resolve6('v4.example.com')).toEqual({
      status: Status.Ok,
      canon: 'v4.example.com',
      entries: [
        { kind: Kind.Synthetic, v4: '198.51.100.2', v6: '::ffff:c633:6402', ttl: 300 },
        { kind: Kind.Synthetic, v4: '198.51.100.3', v6: '::ffff:c633:6403', ttl: 300 },
      ],
    });
  });

  it('answers the AAAA of an A+AAAA name, paired with its A so that it can be translated', async () => {
    const { resolver, mapper } = setup({ 'dual.example.com': { A: ok(60, '198.51.100.2'), AAAA: ok(60, '2001:db8:9::2', '2001:db8:9::3') } });
    const r = await resolver.resolve6('dual.example.com');
    expect(r).toMatchObject({
      status: Status.Ok,
      entries: [
        { kind: Kind.Paired, v4: '198.51.100.2', v6: '2001:db8:9::2', ttl: 60 },
        { kind: Kind.Paired, v4: '198.51.100.2', v6: '2001:db8:9::3', ttl: 60 },
      ],
    });
    expect(mapper.lookupV4('198.51.100.2')).toMatchObject({ kind: Kind.Paired });
  });

  it('answers an AAAA-only name natively, without touching the pool', async () => {
    const { resolver, mapper } = setup({ 'v6.example.com': { AAAA: ok(30, '2001:db8::7') } });
    expect(await resolver.resolve6('v6.example.com')).toEqual({
      status: Status.Ok,
      canon: 'v6.example.com',
      entries: [{ kind: Kind.Native, v4: '0.0.0.0', v6: '2001:db8::7', ttl: 30 }],
    });
    expect(mapper.lookupV4('198.18.0.1')).toBeUndefined();
  });

  it('answers from /etc/hosts, IPv6 addresses winning over IPv4 ones', async () => {
    const { resolver, log } = setup({}, { hosts: '198.51.100.9 printer\n198.51.100.8 both\n2001:db8::8 both\n' });
    expect(await resolver.resolve6('printer')).toMatchObject({ entries: [{ kind: Kind.Synthetic, v6: '::ffff:c633:6409' }] });
    expect(await resolver.resolve6('both')).toMatchObject({ entries: [{ kind: Kind.Native, v6: '2001:db8::8' }] });
    expect(log.queries).toEqual([]);
  });

  it('passes DNS failures through', async () => {
    const { resolver } = setup({});
    expect(await resolver.resolve6('nowhere')).toEqual({ status: Status.NotFound });
  });
});
