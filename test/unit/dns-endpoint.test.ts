// The DNS endpoint's answers (src/helper/dnsanswer.ts), against an upstream
// server on loopback that replies with the packets each case gives: what a
// program's own query gets, byte for byte where the ENR adds nothing.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import packet, { type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTACKER, asUser, secondUidMissing, VICTIM } from '../support/second-uid.js';
import { skipWhen } from '../support/skip.js';
import type { Logger } from '../../src/log.js';
import { startDnsEndpoint } from '../../src/helper/dnsendpoint.js';
import { enrAnswer, v4FromArpa, type EnrParts, type Side } from '../../src/helper/dnsanswer.js';
import { v6FromArpa } from '../../src/helper/dnsreverse6.js';
import { AddressMapper } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import { parseResolvConf } from '../../src/helper/resolvconf.js';
import { NameResolver, type DnsTransport, type QueryOutcome, type RecordType } from '../../src/helper/resolver.js';
import { Synthesizer } from '../../src/helper/synth.js';

type Reply = (query: DecodedPacket, raw: Buffer, transport: 'udp' | 'tcp') => Buffer | undefined;

/** An upstream DNS server on 127.0.0.1, UDP and TCP on one port, answering with `reply`. */
async function upstream(reply: Reply) {
  const seen: { raw: Buffer; transport: 'udp' | 'tcp' }[] = [];
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  udp.on('message', (raw, from) => {
    seen.push({ raw, transport: 'udp' });
    const out = reply(packet.decode(raw), raw, 'udp');
    if (out) udp.send(out, from.port, from.address);
  });
  const tcp = net.createServer((conn) => {
    let got = Buffer.alloc(0);
    conn.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
      const raw = got.subarray(2, 2 + got.readUInt16BE(0));
      seen.push({ raw, transport: 'tcp' });
      const out = reply(packet.decode(raw), raw, 'tcp');
      if (!out) return conn.destroy();
      const len = Buffer.alloc(2);
      len.writeUInt16BE(out.length);
      conn.end(Buffer.concat([len, out]));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  closers.push(() => udp.close(), () => tcp.close());
  return { port, seen };
}

const closers: (() => void)[] = [];
const dirs: string[] = [];
afterEach(() => {
  closers.splice(0).forEach((c) => c());
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true }));
});

const ok = (ttl: number, ...addresses: string[]): QueryOutcome => ({ kind: 'ok', records: addresses.map((address) => ({ address, ttl })) });

/** The ENR's parts, its resolver answering from `zone` (names not in it are NXDOMAIN, missing types NODATA). */
function enr(port: number, zone: Record<string, Partial<Record<RecordType, QueryOutcome>>>): EnrParts & { mapper: AddressMapper } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-dnsendpoint-'));
  dirs.push(dir);
  const hostsPath = path.join(dir, 'hosts');
  const resolvConfPath = path.join(dir, 'resolv.conf');
  fs.writeFileSync(hostsPath, '');
  fs.writeFileSync(resolvConfPath, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  const dns: DnsTransport = () => ({
    query: async (name, type) => zone[name]?.[type] ?? { kind: zone[name] ? 'nodata' : 'nxdomain' },
    cancel: () => undefined,
  });
  const mapper = new AddressMapper(new Pool('198.18.0.0/15', () => ({ addresses: [], routes: [] })));
  const synth = new Synthesizer();
  const resolver = new NameResolver({ mapper, synth, resolvConfPath, hostsPath, dns });
  const conf = parseResolvConf(fs.readFileSync(resolvConfPath, 'utf8'));
  return { resolver, mapper, synth, via: { mapper }, resolvConf: () => conf, saved: async () => undefined, port };
}

const SOA: Answer = { name: 'test', type: 'SOA', ttl: 300, data: { mname: 'ns.test', rname: 'admin.test', serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 30 } } as Answer;
const OPT = (flags = 0): Answer => ({ name: '.', type: 'OPT', udpPayloadSize: 1232, flags, options: [] }) as unknown as Answer;

/** What a server sends back to `q`: its id and question, RD and RA, the sections given. */
function response(q: DecodedPacket, sections: Partial<Packet> & { rcode?: number; tc?: boolean }): Buffer {
  const flags = packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | (sections.tc ? packet.TRUNCATED_RESPONSE : 0) | (sections.flags ?? 0) | (sections.rcode ?? 0);
  return packet.encode({ type: 'response', id: q.id, flags, questions: q.questions, answers: sections.answers ?? [], authorities: sections.authorities ?? [], additionals: sections.additionals ?? [] });
}

const query = (name: string, type: string, extra: Partial<Packet> = {}, id = 0x1234) =>
  packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' } as packet.Question], ...extra });

const rcode = (p: DecodedPacket) => (p as DecodedPacket & { rcode?: string }).rcode;
const dataOf = (a: Answer) => (a as { data: unknown }).data as string;

const ask = (parts: EnrParts, q: Buffer, side: Side = 'ipv6-only', transport: 'udp' | 'tcp' = 'udp') => enrAnswer(q, transport, side, parts);

describe('the DNS endpoint on an IPv6-only network (A questions)', () => {
  it('answers an AAAA-only name (NODATA with SOA upstream) with its pool address, id, case, DO and EDNS kept, SOA dropped, AD cleared', async () => {
    const up = await upstream((q) => response(q, { flags: packet.AUTHENTIC_DATA, authorities: [SOA], additionals: [OPT(packet.DNSSEC_OK)] }));
    const parts = enr(up.port, { 'v6only.test': { AAAA: ok(120, '2001:db8:1::2') } });
    const q = query('V6Only.TEST', 'A', { additionals: [OPT(packet.DNSSEC_OK)] }, 0xbeef);
    const out = packet.decode((await ask(parts, q))!);
    // The program's query went upstream as its bytes.
    expect(up.seen[0].raw.equals(q)).toBe(true);
    expect(out.id).toBe(0xbeef);
    expect(out.questions).toEqual([{ name: 'V6Only.TEST', type: 'A', class: 'IN' }]);
    expect(out.flag_ad).toBe(false);
    expect(rcode(out)).toBe('NOERROR');
    const pool = parts.mapper.lookupV4((out.answers![0] as { data: string }).data);
    expect(out.answers).toEqual([expect.objectContaining({ name: 'V6Only.TEST', type: 'A', data: pool!.v4, ttl: 120 })]);
    expect(pool!.v6).toBe('2001:db8:1::2');
    expect(out.authorities).toEqual([]);
    expect(out.additionals).toEqual([expect.objectContaining({ type: 'OPT', flag_do: true })]);
  });

  it('gives a pool mapping with a short DNS ttl the pool ttl, as RESOLVE does', async () => {
    const up = await upstream((q) => response(q, { authorities: [SOA] }));
    const parts = enr(up.port, { 'v6only.test': { AAAA: ok(0, '2001:db8:1::2') } });
    const out = packet.decode((await ask(parts, query('v6only.test', 'A')))!);
    const got = await parts.resolver.resolve4('v6only.test.');
    expect('entries' in got && got.entries[0].ttl).toBe((out.answers![0] as { ttl: number }).ttl);
    expect((out.answers![0] as { ttl: number }).ttl).toBeGreaterThan(0);
  });

  it('keeps a CNAME chain as the server sent it and puts the A records on its last name', async () => {
    const chain: Answer[] = [
      { name: 'www.test', type: 'CNAME', ttl: 50, data: 'alias.test' },
      { name: 'alias.test', type: 'CNAME', ttl: 50, data: 'v6only.test' },
    ];
    const up = await upstream((q) => response(q, { answers: chain, authorities: [SOA] }));
    const parts = enr(up.port, { 'www.test': { AAAA: ok(70, '2001:db8:1::2', '2001:db8:1::3') } });
    const got = await ask(parts, query('www.test', 'A'));
    const out = packet.decode(got!);
    expect(out.answers!.slice(0, 2)).toEqual(chain.map((c) => expect.objectContaining(c)));
    expect(out.answers!.slice(2).map((a) => [a.name, a.type])).toEqual([['v6only.test', 'A'], ['v6only.test', 'A']]);
  });

  it('reads a compressed reply and points the new records at the name already in it', async () => {
    // www.test A? -> www.test CNAME v6only.test, the names compressed as a server compresses them.
    const up = await upstream((q) => {
      const header = Buffer.from([q.id! >> 8, q.id! & 0xff, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
      const question = Buffer.from([3, ...Buffer.from('www'), 4, ...Buffer.from('test'), 0, 0, 1, 0, 1]);
      // owner: pointer to the question's name (12); rdata "v6only" + pointer to "test" (offset 16).
      const rdata = Buffer.from([6, ...Buffer.from('v6only'), 0xc0, 16]);
      const cname = Buffer.concat([Buffer.from([0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, rdata.length]), rdata]);
      return Buffer.concat([header, question, cname]);
    });
    const parts = enr(up.port, { 'www.test': { AAAA: ok(60, '2001:db8:1::2') } });
    const got = (await ask(parts, query('www.test', 'A')))!;
    const out = packet.decode(got);
    expect(out.answers!.map((a) => [a.name, a.type, dataOf(a)])).toEqual([
      ['www.test', 'CNAME', 'v6only.test'],
      ['v6only.test', 'A', expect.stringMatching(/^198\.1[89]\./)],
    ]);
    // The new record's owner is a pointer to the CNAME's target: header 12 +
    // question 14 + the CNAME's owner pointer, type, class, ttl, length 12.
    const added = got.subarray(got.length - 16);
    expect(added.readUInt16BE(0)).toBe(0xc000 | 38);
  });

  it('passes NXDOMAIN with its SOA through byte for byte', async () => {
    let sent: Buffer | undefined;
    const up = await upstream((q) => (sent = response(q, { rcode: 3, authorities: [SOA] })));
    const parts = enr(up.port, {});
    const got = await ask(parts, query('nothing.test', 'A'));
    expect(got!.equals(sent!)).toBe(true);
  });

  it('passes an answer that has A records through byte for byte, and records the A/AAAA pair for the connect', async () => {
    let sent: Buffer | undefined;
    const up = await upstream((q) => (sent = response(q, { answers: [{ name: 'dual.test', type: 'A', ttl: 30, data: '192.0.2.10' }] })));
    const parts = enr(up.port, { 'dual.test': { A: ok(30, '192.0.2.10'), AAAA: ok(30, '2001:db8:1::2') } });
    const got = await ask(parts, query('dual.test', 'A'));
    expect(got!.equals(sent!)).toBe(true);
    expect(parts.mapper.lookupV4('192.0.2.10')?.v6).toBe('2001:db8:1::2');
  });

  it('forwards every other question unchanged, and its reply too', async () => {
    let sent: Buffer | undefined;
    const up = await upstream((q) => (sent = response(q, { answers: [{ name: 'mail.test', type: 'MX', ttl: 5, data: { preference: 10, exchange: 'v6only.test' } }] })));
    const parts = enr(up.port, {});
    const q = query('MaIl.test', 'MX', { additionals: [OPT(packet.DNSSEC_OK)] }, 7);
    const got = await ask(parts, q);
    expect(up.seen.map((s) => s.raw.equals(q))).toEqual([true]);
    expect(got!.equals(sent!)).toBe(true);
    expect(await ask(parts, query('v6only.test', 'AAAA'))).toBeDefined();
    expect(up.seen[1].raw.equals(query('v6only.test', 'AAAA'))).toBe(true);
  });

  it('takes a reply whose question comes back in another case, and drops a response sent to it', async () => {
    const up = await upstream((q) => response({ ...q, questions: q.questions!.map((x) => ({ ...x, name: x.name.toLowerCase() })) }, { authorities: [SOA] }));
    const parts = enr(up.port, { 'v6only.test': { AAAA: ok(60, '2001:db8:1::2') } });
    const out = packet.decode((await ask(parts, query('V6ONLY.test', 'A')))!);
    expect(out.answers).toHaveLength(1);
    const stray = packet.encode({ type: 'response', id: 1, questions: [{ name: 'v6only.test', type: 'A', class: 'IN' }] });
    expect(await ask(parts, stray)).toBeUndefined();
    expect(up.seen).toHaveLength(1);
  });

  it('asks again over TCP when the UDP reply is truncated, and forwards truncation of other questions for the program to retry', async () => {
    const up = await upstream((q, _raw, transport) => (transport === 'udp' ? response(q, { tc: true }) : response(q, { authorities: [SOA] })));
    const parts = enr(up.port, { 'v6only.test': { AAAA: ok(60, '2001:db8:1::2') } });
    const out = packet.decode((await ask(parts, query('v6only.test', 'A')))!);
    expect(up.seen.map((s) => s.transport)).toEqual(['udp', 'tcp']);
    expect(out.flag_tc).toBe(false);
    expect(out.answers).toHaveLength(1);
    const other = packet.decode((await ask(parts, query('v6only.test', 'TXT')))!);
    expect(other.flag_tc).toBe(true);
    // Over TCP the program gets the whole answer.
    expect(packet.decode((await ask(parts, query('v6only.test', 'TXT'), 'ipv6-only', 'tcp'))!).flag_tc).toBe(false);
  });

  it('truncates an answer that outgrows the UDP size the query allows, and answers it whole over TCP', async () => {
    const label = (c: string) => c.repeat(60);
    const long = `${label('a')}.${label('b')}.${label('c')}.test`;
    const up = await upstream((q) => response(q, { answers: [{ name: q.questions![0].name, type: 'CNAME', ttl: 5, data: long }], authorities: [SOA] }));
    const many = Array.from({ length: 20 }, (_, i) => `2001:db8:2::${i + 1}`);
    const parts = enr(up.port, { 'big.test': { AAAA: ok(60, ...many) } });
    const udp = packet.decode((await ask(parts, query('big.test', 'A')))!);
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers).toEqual([]);
    const tcp = packet.decode((await ask(parts, query('big.test', 'A'), 'ipv6-only', 'tcp'))!);
    expect(tcp.answers).toHaveLength(21);
    const edns = packet.decode((await ask(parts, query('big.test', 'A', { additionals: [OPT()] })))!);
    expect(edns.flag_tc).toBe(false);
  });

  it('answers a PTR question for a pool address with the name it stands for, and forwards one for any other address', async () => {
    const up = await upstream((q) => response(q, { rcode: q.questions![0].type === 'PTR' ? 3 : 0, authorities: [SOA] }));
    const parts = enr(up.port, { 'v6only.test': { AAAA: ok(60, '2001:db8:1::2') } });
    const a = packet.decode((await ask(parts, query('v6only.test', 'A')))!);
    const v4 = (a.answers![0] as { data: string }).data;
    const arpa = `${v4.split('.').reverse().join('.')}.in-addr.arpa`;
    const ptr = packet.decode((await ask(parts, query(arpa, 'PTR', { additionals: [OPT(packet.DNSSEC_OK)] }, 99)))!);
    expect(ptr.id).toBe(99);
    expect(ptr.answers).toEqual([expect.objectContaining({ name: arpa, type: 'PTR', data: 'v6only.test' })]);
    expect(ptr.additionals).toEqual([expect.objectContaining({ type: 'OPT', flag_do: true })]);
    const other = packet.decode((await ask(parts, query('1.2.0.192.in-addr.arpa', 'PTR')))!);
    expect(rcode(other)).toBe('NXDOMAIN');
  });

  it('answers SERVFAIL when the pool has no address to give', async () => {
    const up = await upstream((q) => response(q, { authorities: [SOA] }));
    const parts = enr(up.port, { 'v6only.test': { AAAA: ok(60, '2001:db8:1::2') } });
    const full = new AddressMapper(new Pool('198.18.0.0/30', () => ({ addresses: [], routes: [] })));
    full.mapV6('2001:db8:9::1');
    full.mapV6('2001:db8:9::2');
    const out = packet.decode((await ask({ ...parts, via: { mapper: full } }, query('v6only.test', 'A')))!);
    expect(rcode(out)).toBe('SERVFAIL');
  });
});

describe('the DNS endpoint on an IPv4-only network (AAAA questions)', () => {
  it('answers an A-only name with its synthesized address and leaves A questions alone', async () => {
    const up = await upstream((q) => response(q, { authorities: [SOA] }));
    const parts = enr(up.port, { 'v4only.test': { A: ok(40, '198.51.100.2') } });
    const out = packet.decode((await ask(parts, query('v4only.test', 'AAAA'), 'ipv4-only'))!);
    expect(out.answers).toEqual([expect.objectContaining({ name: 'v4only.test', type: 'AAAA', data: '::ffff:c633:6402', ttl: 40 })]);
    const a = packet.decode((await ask(parts, query('v4only.test', 'A'), 'ipv4-only'))!);
    expect(a.answers).toEqual([]);
  });

  it('answers a PTR question for a synthesized address with a CNAME to its in-addr.arpa name and the servers\' PTR for that (RFC 6147 5.3.1)', async () => {
    const up = await upstream((q) =>
      q.questions![0].name === '2.100.51.198.in-addr.arpa' ? response(q, { answers: [{ name: '2.100.51.198.in-addr.arpa', type: 'PTR', ttl: 90, data: 'v4only.test' }] }) : response(q, { rcode: 3, authorities: [SOA] }),
    );
    const parts = enr(up.port, {});
    const name = '2.0.4.6.3.3.6.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.IP6.ARPA';
    const out = packet.decode((await ask(parts, query(name, 'PTR', { additionals: [OPT(packet.DNSSEC_OK)] }, 42), 'ipv4-only'))!);
    expect(out.id).toBe(42);
    expect(out.questions![0].name).toBe(name);
    expect(out.answers!.map((a) => [a.name, a.type, dataOf(a)])).toEqual([
      [name, 'CNAME', '2.100.51.198.in-addr.arpa'],
      ['2.100.51.198.in-addr.arpa', 'PTR', 'v4only.test'],
    ]);
    expect(out.additionals).toEqual([expect.objectContaining({ type: 'OPT', flag_do: true })]);
    // A real IPv6 address's PTR question is the servers'.
    const real = packet.decode((await ask(parts, query('2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'PTR'), 'ipv4-only'))!);
    expect(rcode(real)).toBe('NXDOMAIN');
    expect(real.answers).toEqual([]);
  });
});

describe('v4FromArpa', () => {
  it('reads in-addr.arpa names and nothing else', () => {
    expect(v4FromArpa('5.0.18.198.in-addr.arpa')).toBe('198.18.0.5');
    expect(v4FromArpa('0.18.198.in-addr.arpa')).toBeUndefined();
    expect(v4FromArpa('05.0.18.198.in-addr.arpa')).toBeUndefined();
    expect(v4FromArpa('256.0.18.198.in-addr.arpa')).toBeUndefined();
  });

  it('v6FromArpa reads 32-nibble ip6.arpa names and nothing else', () => {
    expect(v6FromArpa('2.0.4.6.3.3.6.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa')).toBe('::ffff:c633:6402');
    expect(v6FromArpa('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa')).toBe('::1');
    expect(v6FromArpa('0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa')).toBeUndefined();
    expect(v6FromArpa('g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa')).toBeUndefined();
  });
});

describe('startDnsEndpoint', () => {
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

  /** One UDP exchange with the endpoint; undefined after 300 ms of silence. */
  function udpAsk(address: string, port: number, q: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
      const timer = setTimeout(() => (s.close(), resolve(undefined)), 300);
      s.on('message', (msg) => (clearTimeout(timer), s.close(), resolve(msg)));
      s.send(q, port, address);
    });
  }

  it('listens on 127.0.0.1 and ::1, names its ports in SOCKET.dns, answers over UDP and TCP, and only the uids it serves', async () => {
    const up = await upstream((q) => response(q, { authorities: [SOA] }));
    const parts = enr(up.port, { 'v6only.test': { AAAA: ok(60, '2001:db8:1::2') } });
    const socketPath = path.join(dirs[0], 'helper.sock');
    let serves = true;
    const endpoint = (await startDnsEndpoint(socketPath, parts, (uid) => serves && uid === process.getuid!(), silent))!;
    try {
      const [v6side, v4side, ipv6, netns] = fs.readFileSync(`${socketPath}.dns`, 'utf8').trim().split(' ');
      expect(Number(v6side)).toBe(endpoint.ports['ipv6-only']);
      expect(Number(v4side)).toBe(endpoint.ports['ipv4-only']);
      expect(netns).toBe(/\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/net'))![1]);
      const port = endpoint.ports['ipv6-only'];
      const udp = packet.decode((await udpAsk('127.0.0.1', port, query('v6only.test', 'A')))!);
      expect(udp.answers).toEqual([expect.objectContaining({ type: 'A' })]);
      if (ipv6 === '1') expect(await udpAsk('::1', port, query('v6only.test', 'A'))).toBeDefined();
      const tcp = await new Promise<Buffer>((resolve) => {
        const conn = net.connect(port, '127.0.0.1');
        const q = query('v6only.test', 'A');
        const len = Buffer.alloc(2);
        len.writeUInt16BE(q.length);
        conn.end(Buffer.concat([len, q]));
        let got = Buffer.alloc(0);
        conn.on('data', (d) => (got = Buffer.concat([got, d])));
        conn.on('close', () => resolve(got.subarray(2)));
      });
      expect(packet.decode(tcp).answers).toEqual([expect.objectContaining({ type: 'A' })]);
      serves = false;
      expect(await udpAsk('127.0.0.1', port, query('v6only.test', 'A'))).toBeUndefined();
    } finally {
      await endpoint.close();
    }
    expect(fs.existsSync(`${socketPath}.dns`)).toBe(false);
  });
});

describe('the DNS endpoint and another user', skipWhen(secondUidMissing), () => {
  // One UDP query as UID, from a real process of that user; prints the answer's length or "none".
  function askAs(uid: number, port: number, q: Buffer): Promise<string> {
    const script = `const s = require('dgram').createSocket('udp4');
const t = setTimeout(() => { console.log('none'); process.exit(0); }, 500);
s.on('message', (m) => { clearTimeout(t); console.log(m.length); process.exit(0); });
s.send(Buffer.from('${q.toString('hex')}', 'hex'), ${port}, '127.0.0.1');`;
    const [cmd, ...args] = asUser(uid, [process.execPath, '-e', script]);
    return new Promise((resolve) => execFile(cmd, args, (_err, stdout) => resolve(stdout.trim())));
  }

  it("answers its own user and drops another's query unanswered", async () => {
    const up = await upstream((q) => response(q, { authorities: [SOA] }));
    const parts = enr(up.port, { 'v6only.test': { AAAA: ok(60, '2001:db8:1::2') } });
    const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;
    const endpoint = (await startDnsEndpoint(path.join(dirs[0], 'helper.sock'), parts, (uid) => uid === VICTIM, silent))!;
    try {
      const port = endpoint.ports['ipv6-only'];
      expect(await askAs(VICTIM, port, query('v6only.test', 'A'))).toMatch(/^\d+$/);
      expect(await askAs(ATTACKER, port, query('v6only.test', 'A'))).toBe('none');
    } finally {
      await endpoint.close();
    }
  });
});
