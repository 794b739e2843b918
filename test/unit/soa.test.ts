// The negative ttl of RFC 2308 (min of the SOA record's TTL and its
// MINIMUM, from the authority section) against a fake DNS server in this
// process: dgram + dns-packet, answering as each test tells it. Also the
// whole resolver through c-ares against it, with a fake clock.
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import packet, { type Packet } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { AddressMapper } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import { caresTransport, NameResolver } from '../../src/helper/resolver.js';
import type { ResolvConf } from '../../src/helper/resolvconf.js';
import { negativeTtl } from '../../src/helper/soa.js';
import { Status } from '../../src/wire/messages.js';

type Query = ReturnType<typeof packet.decode>;
/** What the server sends back for a query: packets (raw buffers as they are), or nothing. */
type Answer = (q: Query) => (Packet | Buffer)[];

const servers: dgram.Socket[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function fakeServer(answer: Answer, address = '127.0.0.1', port = 0): Promise<{ port: number; queries: Query[] }> {
  const socket = dgram.createSocket('udp4');
  servers.push(socket);
  const queries: Query[] = [];
  socket.on('message', (msg, from) => {
    const q = packet.decode(msg);
    queries.push(q);
    for (const reply of answer(q)) socket.send(Buffer.isBuffer(reply) ? reply : packet.encode(reply), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(port, address, resolve));
  return { port: socket.address().port, queries };
}

const soa = (ttl: number, minimum: number) => ({
  name: 'example', type: 'SOA' as const, ttl,
  data: { mname: 'ns.example', rname: 'hostmaster.example', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum },
});

/** A negative reply to q: NXDOMAIN (rcode 3) or NODATA, with these authority records. */
function negative(q: Query, authorities: Packet['authorities'], rcode: 'NXDOMAIN' | 'NOERROR' = 'NXDOMAIN', extraFlags = 0): Packet {
  const flags = packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | extraFlags | (rcode === 'NXDOMAIN' ? 3 : 0);
  return { type: 'response', id: q.id, flags, questions: q.questions, authorities };
}

const conf = (addresses: string[] = ['127.0.0.1'], timeout = 1): ResolvConf => ({
  nameservers: addresses.map((address) => ({ family: 4, address, zone: '' })),
  search: [],
  ndots: 1,
  timeout,
  attempts: 1,
});

describe('negativeTtl (RFC 2308 section 5)', () => {
  it('is the SOA record TTL when it is below MINIMUM (a cache counted it down)', async () => {
    const { port } = await fakeServer((q) => [negative(q, [soa(30, 300)])]);
    expect(await negativeTtl('nope.example', conf(), { port })).toBe(30);
  });

  it('is MINIMUM when that is below the TTL', async () => {
    const { port } = await fakeServer((q) => [negative(q, [soa(600, 45)])]);
    expect(await negativeTtl('nope.example', conf(), { port })).toBe(45);
  });

  it('covers NODATA, and takes the smaller of the A and AAAA answers', async () => {
    const { port, queries } = await fakeServer((q) => [negative(q, [q.questions![0].type === 'A' ? soa(80, 100) : soa(70, 100)], 'NOERROR')]);
    expect(await negativeTtl('exists.example', conf(), { port })).toBe(70);
    expect(queries.map((q) => q.questions![0].type).sort()).toEqual(['A', 'AAAA']);
    expect(queries.every((q) => q.flag_rd)).toBe(true);
  });

  it('is undefined without an SOA, for a truncated reply, and when the name has records after all', async () => {
    const bare = await fakeServer((q) => [negative(q, [])]);
    expect(await negativeTtl('nope.example', conf(), { port: bare.port })).toBeUndefined();
    servers.splice(0).forEach((s) => s.close());
    const truncated = await fakeServer((q) => [negative(q, [soa(30, 30)], 'NXDOMAIN', packet.TRUNCATED_RESPONSE)]);
    expect(await negativeTtl('nope.example', conf(), { port: truncated.port })).toBeUndefined();
    servers.splice(0).forEach((s) => s.close());
    const positive = await fakeServer((q) => [{ ...negative(q, [], 'NOERROR'), answers: [{ name: q.questions![0].name, type: 'A', ttl: 60, data: '192.0.2.1' }] }]);
    expect(await negativeTtl('appeared.example', conf(), { port: positive.port })).toBeUndefined();
  });

  it('ignores replies with another id or question and garbage, and takes the real one', async () => {
    const { port } = await fakeServer((q) => [
      Buffer.from('not dns'),
      negative({ ...q, id: (q.id! + 1) % 0x10000 }, [soa(5, 5)]),
      negative({ ...q, questions: [{ type: q.questions![0].type, name: 'other.example' }] }, [soa(6, 6)]),
      negative(q, [soa(40, 50)]),
    ]);
    expect(await negativeTtl('nope.example', conf(), { port })).toBe(40);
  });

  it('asks the next server after SERVFAIL', async () => {
    const first = await fakeServer((q) => [{ type: 'response', id: q.id, flags: 2, questions: q.questions }]);
    await fakeServer((q) => [negative(q, [soa(25, 60)])], '127.0.0.2', first.port);
    expect(await negativeTtl('nope.example', conf(['127.0.0.1', '127.0.0.2']), { port: first.port })).toBe(25);
  });

  it('gives up within its budget when no server answers, and at once when cancelled', async () => {
    const { port } = await fakeServer(() => []);
    let t = Date.now();
    expect(await negativeTtl('nope.example', conf(['127.0.0.1'], 5), { port, budgetMs: 300 })).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(1000);
    const cancelled = new AbortController();
    t = Date.now();
    const pending = negativeTtl('nope.example', conf(['127.0.0.1'], 5), { port, signal: cancelled.signal });
    setTimeout(() => cancelled.abort(), 50);
    expect(await pending).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(1000);
  });
});

describe('the resolver caches a negative answer for min(SOA TTL, MINIMUM)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true })));

  it('through c-ares and the SOA query, with a fake clock', async () => {
    const { port, queries } = await fakeServer((q) => [negative(q, [soa(20, 300)])]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-soa-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    fs.writeFileSync(path.join(dir, 'hosts'), '');
    const clock = { now: 1_000_000 };
    const mapper = new AddressMapper(new Pool('198.18.0.0/15', () => ({ addresses: [], routes: [] })));
    const resolver = new NameResolver({
      mapper, dns: caresTransport(port), resolvConfPath: path.join(dir, 'resolv.conf'), hostsPath: path.join(dir, 'hosts'), now: () => clock.now,
    });
    const asked = () => queries.filter((q) => q.questions![0].name === 'nope.example').length;
    expect(await resolver.resolve4('nope.example')).toEqual({ status: Status.NotFound });
    const first = asked();
    expect(first).toBe(4); // A and AAAA by c-ares, A and AAAA for the SOA
    clock.now += 19_000;
    expect(await resolver.resolve4('nope.example')).toEqual({ status: Status.NotFound });
    expect(asked()).toBe(first);
    clock.now += 1_000;
    expect(await resolver.resolve4('nope.example')).toEqual({ status: Status.NotFound });
    expect(asked()).toBe(2 * first);
  });
});
