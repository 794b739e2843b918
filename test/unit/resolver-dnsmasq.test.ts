// The resolver against a real DNS server (dnsmasq on a random port), through
// node:dns/c-ares as in production: CNAMEs, NODATA, NXDOMAIN and REFUSED as a
// real server sends them.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as dnsp } from 'node:dns';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressMapper } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import { caresTransport, NameResolver } from '../../src/helper/resolver.js';
import type { ResolvConf } from '../../src/helper/resolvconf.js';
import { Kind, Status } from '../../src/wire/messages.js';
import { findTool } from '../../src/sbin.js';
import { skipWhen, toolMissing } from '../support/skip.js';

const DNSMASQ = findTool('dnsmasq');
const dnsmasqMissing = toolMissing(DNSMASQ !== undefined, 'dnsmasq is not installed (apt-get install dnsmasq-base)');

async function answers(port: number): Promise<boolean> {
  const probe = new dnsp.Resolver({ timeout: 200, tries: 1 });
  probe.setServers([`127.0.0.1:${port}`]);
  return probe.resolve4('dual.test').then(() => true, () => false);
}

// A probe to a port nobody listens on yet fails at once (ECONNREFUSED), so
// dnsmasq gets a time to start rather than a number of probes: under load it
// takes longer than thirty refused probes. A port another process holds
// makes dnsmasq exit, and only then is another port tried.
async function startDnsmasq(extra: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  let log = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const child = spawn(DNSMASQ!, [
      '--keep-in-foreground', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', '--user=root',
      '--listen-address=127.0.0.1', `--port=${port}`, '--bind-interfaces', '--log-facility=-',
      '--local=/test/', '--local-ttl=300',
      '--host-record=v6only.test,2001:db8:1::2', '--host-record=v6only.test,2001:db8:1::3',
      '--host-record=dual.test,192.0.2.10,2001:db8:1::2',
      '--host-record=v4only.test,192.0.2.20',
      '--cname=alias.test,dual.test',
      ...extra,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let exited = false;
    child.on('exit', () => (exited = true));
    child.stderr!.on('data', (d) => (log += d));
    for (const deadline = Date.now() + 10_000; !exited && Date.now() < deadline; await sleep(20)) {
      if (await answers(port)) return { child, port };
    }
    child.kill();
  }
  throw new Error(`could not start dnsmasq:\n${log}`);
}

describe('NameResolver with a real DNS server', skipWhen(dnsmasqMissing), () => {
  let dnsmasq: { child: ChildProcess; port: number };
  let resolver: NameResolver;
  let dir: string;

  beforeAll(async () => {
    dnsmasq = await startDnsmasq();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-dnsmasq-'));
    fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\nsearch test\noptions timeout:1 attempts:1\n');
    fs.writeFileSync(path.join(dir, 'hosts'), '');
    const mapper = new AddressMapper(new Pool('198.18.0.0/15', () => ({ addresses: [], routes: [] })));
    resolver = new NameResolver({
      mapper,
      resolvConfPath: path.join(dir, 'resolv.conf'),
      hostsPath: path.join(dir, 'hosts'),
      dns: caresTransport(dnsmasq.port),
    });
  });

  afterAll(() => {
    dnsmasq?.child.kill();
    if (dir) fs.rmSync(dir, { recursive: true });
  });

  it('pool-maps every address of an AAAA-only name found through the search list', async () => {
    expect(await resolver.resolve4('v6only')).toEqual({
      status: Status.Ok,
      canon: 'v6only.test',
      entries: [
        { kind: Kind.Pool, v4: '198.18.0.1', v6: '2001:db8:1::2', ttl: 300 },
        { kind: Kind.Pool, v4: '198.18.0.2', v6: '2001:db8:1::3', ttl: 300 },
      ],
    });
  });

  it('pairs a dual-stack name, also behind a CNAME', async () => {
    const paired = { status: Status.Ok, entries: [{ kind: Kind.Paired, v4: '192.0.2.10', v6: '2001:db8:1::2', ttl: 300 }] };
    expect(await resolver.resolve4('dual.test')).toMatchObject({ ...paired, canon: 'dual.test' });
    expect(await resolver.resolve4('alias.test.')).toMatchObject({ ...paired, canon: 'alias.test' });
  });

  it('answers NATIVE for an A-only name', async () => {
    expect(await resolver.resolve4('v4only.test')).toMatchObject({ status: Status.Ok, entries: [{ kind: Kind.Native, v4: '192.0.2.20', v6: '::' }] });
  });

  it('reports NXDOMAIN as NOT_FOUND and a refusing server as TRY_AGAIN', async () => {
    expect(await resolver.resolve4('nx.test')).toEqual({ status: Status.NotFound });
    expect(await resolver.resolve4('elsewhere.example')).toEqual({ status: Status.TryAgain });
  });

  it('gives each session a channel of its own: cancelling one never cancels another, and a new resolv.conf gets new ones', async () => {
    const transport = caresTransport(dnsmasq.port);
    const conf: ResolvConf = { nameservers: [{ address: '127.0.0.1', family: 4, zone: '' }], search: [], ndots: 1, timeout: 1, attempts: 1 };
    const first = transport(conf);
    expect((await first.query('dual.test', 'A')).kind).toBe('ok');
    first.cancel(); // nothing pending: its channel is kept for the next session
    const [a, b] = [transport(conf), transport(conf)];
    const [pendingA, pendingB] = [a.query('dual.test', 'AAAA'), b.query('dual.test', 'AAAA')];
    a.cancel(); // its deadline passed, say
    expect((await pendingA).kind).toBe('unreachable');
    expect((await pendingB).kind, "the other session's query is untouched").toBe('ok');
    b.cancel();
    const elsewhere = transport({ ...conf, nameservers: [{ address: '127.0.0.2', family: 4, zone: '' }] });
    expect((await elsewhere.query('dual.test', 'A')).kind, 'no server there').not.toBe('ok');
    elsewhere.cancel();
    const back = transport(conf);
    expect((await back.query('dual.test', 'A')).kind).toBe('ok');
    back.cancel();
  });
});

// Authoritative for test., dnsmasq puts the zone's SOA in the authority
// section of a negative answer, with TTL and MINIMUM both its auth-ttl.
describe('negative ttl from a real SOA', skipWhen(dnsmasqMissing), () => {
  let dnsmasq: { child: ChildProcess; port: number };
  beforeAll(async () => {
    dnsmasq = await startDnsmasq(['--auth-zone=test', '--auth-server=ns.test,127.0.0.1', '--auth-ttl=120']);
  });
  afterAll(() => {
    dnsmasq?.child.kill();
  });

  it('reads it from the authority section of the negative answer; none from a refusing server', async () => {
    const session = caresTransport(dnsmasq.port)({ nameservers: [{ address: '127.0.0.1', family: 4, zone: '' }], search: [], ndots: 1, timeout: 1, attempts: 1 });
    expect(await session.negativeTtl!('nope.deeper.test')).toBe(120);
    // AAAA exists: not a negative answer for both types, so nothing to cache.
    expect(await session.negativeTtl!('v6only.test')).toBeUndefined();
    expect(await session.negativeTtl!('elsewhere.invalid')).toBeUndefined();
    session.cancel();
  });
});
