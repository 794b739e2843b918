// Negative answers cached per the SOA minimum of their zone (RFC 2308),
// with a fake clock and a fake DNS that counts its queries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AddressMapper } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import { MAX_NEGATIVE_TTL, NameResolver, type DnsTransport, type QueryOutcome } from '../../src/helper/resolver.js';
import { Status } from '../../src/wire/messages.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true })));

// exists.example has no AAAA nor A (NODATA); everything else is NXDOMAIN.
// soa: the negative ttl the zone's SOA gives, or undefined (none found).
function setup(soa: number | undefined, resolvConf = 'nameserver 192.0.2.53\n') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-neg-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'resolv.conf'), resolvConf);
  fs.writeFileSync(path.join(dir, 'hosts'), '');
  const clock = { now: 1_000_000 };
  const log = { queries: 0, soa: [] as string[] };
  const dns: DnsTransport = () => ({
    query: async (name): Promise<QueryOutcome> => {
      log.queries++;
      return { kind: name === 'exists.example' ? 'nodata' : 'nxdomain' };
    },
    negativeTtl: async (name) => {
      log.soa.push(name);
      return soa;
    },
    cancel() {},
  });
  const mapper = new AddressMapper(new Pool('198.18.0.0/15', () => ({ addresses: [], routes: [] })));
  const resolver = new NameResolver({ mapper, dns, resolvConfPath: path.join(dir, 'resolv.conf'), hostsPath: path.join(dir, 'hosts'), now: () => clock.now });
  return { resolver, clock, log };
}

describe('negative answers', () => {
  it('are cached for the SOA minimum, then asked again', async () => {
    const { resolver, clock, log } = setup(30);
    expect(await resolver.resolve4('nope.example')).toEqual({ status: Status.NotFound });
    expect(log.queries).toBe(2); // A and AAAA
    clock.now += 29_000;
    expect(await resolver.resolve4('NOPE.example')).toEqual({ status: Status.NotFound });
    expect(log.queries).toBe(2);
    clock.now += 1_000;
    expect(await resolver.resolve4('nope.example')).toEqual({ status: Status.NotFound });
    expect(log.queries).toBe(4);
  });

  it('cache NODATA too, for IPv6 programs as well', async () => {
    const { resolver, log } = setup(60);
    expect(await resolver.resolve6('exists.example')).toEqual({ status: Status.NoData });
    expect(await resolver.resolve4('exists.example')).toEqual({ status: Status.NoData });
    expect(log.queries).toBe(2);
  });

  it('are not cached without an SOA, and never longer than MAX_NEGATIVE_TTL', async () => {
    const none = setup(undefined);
    await none.resolver.resolve4('nope.example');
    await none.resolver.resolve4('nope.example');
    expect(none.log.queries).toBe(4);

    const long = setup(86400);
    await long.resolver.resolve4('nope.example');
    long.clock.now += MAX_NEGATIVE_TTL * 1000;
    await long.resolver.resolve4('nope.example');
    expect(long.log.queries).toBe(4);
  });

  it('take the shortest negative ttl of every name the search list tried', async () => {
    const { resolver, log } = setup(45, 'nameserver 192.0.2.53\nsearch a.example b.example\n');
    expect(await resolver.resolve4('host')).toEqual({ status: Status.NotFound });
    expect(log.soa).toEqual(['host.a.example', 'host.b.example', 'host']);
  });
});
