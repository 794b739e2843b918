import { describe, expect, it } from 'vitest';
import { Kind } from '../../src/wire/messages.js';
import { ABSENT_TTL, MIN_TTL, Nat64, prefixesFromAnswer, RETRY_TTL } from '../../src/helper/nat64.js';
import { embed, extract, parsePrefix, translatable, type Nat64Prefix } from '../../src/mapping/nat64-prefix.js';
import { nat64Entries, nat64Map4, nat64Map6, UNREACHABLE_TTL } from '../../src/helper/nat64-entries.js';
import type { DnsSession, QueryOutcome } from '../../src/helper/resolver.js';

const p = (text: string): Nat64Prefix => parsePrefix(text)!;

// RFC 6052 section 2.4, the table of 192.0.2.33 behind 2001:db8:c000:221/n.
const RFC6052_EXAMPLES: [string, string][] = [
  ['2001:db8::/32', '2001:db8:c000:221::'],
  ['2001:db8:100::/40', '2001:db8:1c0:2:21::'],
  ['2001:db8:122::/48', '2001:db8:122:c000:2:2100::'],
  ['2001:db8:122:300::/56', '2001:db8:122:3c0:0:221::'],
  ['2001:db8:122:344::/64', '2001:db8:122:344:c0:2:2100:0'],
  ['2001:db8:122:344::/96', '2001:db8:122:344::c000:221'],
];

describe('RFC 6052 addresses', () => {
  it.each(RFC6052_EXAMPLES)('embeds and extracts 192.0.2.33 behind %s', (prefix, v6) => {
    expect(embed(p(prefix), '192.0.2.33')).toBe(v6);
    expect(extract(p(prefix), v6)).toBe('192.0.2.33');
  });

  it('extracts nothing from addresses outside the prefix or with a non-zero u octet or suffix', () => {
    expect(extract(p('64:ff9b::/96'), '64:ff9a::c000:221')).toBeUndefined();
    expect(extract(p('2001:db8:122:344::/64'), '2001:db8:122:344:1c0:2:2100:0')).toBeUndefined();
    expect(extract(p('2001:db8::/32'), '2001:db8:c000:221::1')).toBeUndefined();
  });

  it('accepts only RFC 6052 prefixes', () => {
    expect(p('64:ff9b::/96')).toEqual({ network: '64:ff9b::', length: 96 });
    for (const bad of ['64:ff9b::/95', '64:ff9b::1/96', '2001:db8::/64x', '2001:db8:0:0:ff00::/96', 'nonsense', '192.0.2.0/24', '64:ff9b::']) {
      expect(parsePrefix(bad), bad).toBeUndefined();
    }
  });

  it('keeps non-global IPv4 addresses away from the well-known prefix (RFC 6052 3.1), but not from a network-specific one', () => {
    expect(translatable(p('64:ff9b::/96'), '93.184.216.34')).toBe(true);
    expect(translatable(p('64:ff9b::/96'), '10.1.2.3')).toBe(false);
    expect(translatable(p('64:ff9b::/96'), '192.0.2.20')).toBe(false);
    expect(translatable(p('2001:db8:64::/96'), '10.1.2.3')).toBe(true);
    for (const never of ['127.0.0.1', '0.1.2.3', '169.254.169.254', '224.0.0.1', '255.255.255.255']) {
      expect(translatable(p('2001:db8:64::/96'), never), never).toBe(false);
    }
  });
});

describe('RFC 7050 prefix discovery', () => {
  it.each([32, 40, 48, 56, 64, 96])('finds a /%i prefix from the two well-known addresses', (length) => {
    const prefix = p(RFC6052_EXAMPLES.find(([text]) => text.endsWith(`/${length}`))![0]);
    const answer = [embed(prefix, '192.0.0.170'), embed(prefix, '192.0.0.171')];
    expect(prefixesFromAnswer(answer)).toEqual([prefix]);
  });

  it('ignores addresses without a well-known address in them', () => {
    expect(prefixesFromAnswer(['2001:db8::1', '64:ff9b::808:808'])).toEqual([]);
  });

  it('tells a prefix that contains 192.0.0.170 by chance apart with the second address', () => {
    // 2001:c000:aa::/48 holds 192.0.0.170 at the /32 position too.
    const prefix = p('2001:c000:aa::/48');
    const answer = [embed(prefix, '192.0.0.170'), embed(prefix, '192.0.0.171')];
    expect(prefixesFromAnswer(answer)).toEqual([prefix]);
  });

  it('reports each of several prefixes once', () => {
    const a = p('64:ff9b::/96');
    const b = p('2001:db8:64::/96');
    const answer = [a, b].flatMap((x) => [embed(x, '192.0.0.170'), embed(x, '192.0.0.171')]);
    expect(prefixesFromAnswer(answer)).toEqual([a, b]);
  });
});

// A DNS session answering ipv4only.arpa with `outcome`, counting queries.
function fakeDns(outcome: () => QueryOutcome | Promise<QueryOutcome>) {
  const asked: string[] = [];
  const session = (): DnsSession => ({
    query: async (name, type) => {
      asked.push(`${name} ${type}`);
      return outcome();
    },
    cancel: () => {},
  });
  return { asked, session };
}

const WKA = (prefix: string, ttl = 600): QueryOutcome => ({
  kind: 'ok',
  records: ['192.0.0.170', '192.0.0.171'].map((v4) => ({ address: embed(p(prefix), v4), ttl })),
});

describe('Nat64', () => {
  it('learns the prefix once and keeps it for its TTL, then learns it again in the background', async () => {
    let now = 1_000_000;
    const dns = fakeDns(() => WKA('64:ff9b::/96', 600));
    const conf = {};
    const nat64 = new Nat64({ setting: 'auto', dns: dns.session, dnsConfig: () => conf, now: () => now });
    expect((await nat64.prefix()).prefix).toEqual(p('64:ff9b::/96'));
    expect((await nat64.prefix()).source).toBe('rfc7050');
    expect(dns.asked).toEqual(['ipv4only.arpa AAAA']);
    now += 601_000;
    expect((await nat64.prefix()).prefix).toEqual(p('64:ff9b::/96'));
    expect(dns.asked.length).toBe(2);
  });

  it('holds a TTL of 0 for a minute, and a "no NAT64" for five, a failed query for seconds', async () => {
    let now = 0;
    let outcome: QueryOutcome = WKA('64:ff9b::/96', 0);
    const conf = {};
    const nat64 = new Nat64({ setting: 'auto', dns: fakeDns(() => outcome).session, dnsConfig: () => conf, now: () => now });
    expect((await nat64.prefix()).until).toBe(MIN_TTL * 1000);
    nat64.forget();
    outcome = { kind: 'nxdomain' };
    expect(await nat64.prefix()).toEqual({ prefix: undefined, source: 'none', until: ABSENT_TTL * 1000 });
    nat64.forget();
    outcome = { kind: 'unreachable' };
    now = 5;
    expect((await nat64.prefix()).until).toBe(5 + RETRY_TTL * 1000);
  });

  it('learns again when the network changed or resolv.conf did', async () => {
    let prefix = '64:ff9b::/96';
    let conf = {};
    const dns = fakeDns(() => WKA(prefix));
    const nat64 = new Nat64({ setting: 'auto', dns: dns.session, dnsConfig: () => conf });
    await nat64.prefix();
    prefix = '2001:db8:64::/96';
    nat64.forget();
    expect((await nat64.prefix()).prefix).toEqual(p('2001:db8:64::/96'));
    prefix = '2001:db8:65::/96';
    conf = {};
    expect((await nat64.prefix()).prefix).toEqual(p('2001:db8:65::/96'));
    expect(dns.asked.length).toBe(3);
  });

  it('answers "not known yet" when discovery is slower than the caller may wait', async () => {
    const dns = fakeDns(() => new Promise<QueryOutcome>((resolve) => setTimeout(() => resolve(WKA('64:ff9b::/96')), 200)));
    const nat64 = new Nat64({ setting: 'auto', dns: dns.session, dnsConfig: () => 1 });
    expect((await nat64.prefix(10)).prefix).toBeUndefined();
    expect((await nat64.prefix()).prefix).toEqual(p('64:ff9b::/96'));
    expect(dns.asked.length).toBe(1);
  });

  it('uses a configured prefix, or none when off, without asking DNS', async () => {
    const dns = fakeDns(() => WKA('64:ff9b::/96'));
    const fixed = new Nat64({ setting: p('2001:db8:46::/64'), dns: dns.session, dnsConfig: () => 1 });
    expect(await fixed.prefix()).toMatchObject({ prefix: p('2001:db8:46::/64'), source: 'config' });
    const off = new Nat64({ setting: 'off', dns: dns.session, dnsConfig: () => 1 });
    expect(await off.prefix()).toMatchObject({ prefix: undefined, source: 'off' });
    expect(dns.asked).toEqual([]);
  });
});

describe('NAT64 entries', () => {
  const nat64 = (setting: 'off' | Nat64Prefix) => new Nat64({ setting, dns: fakeDns(() => ({ kind: 'nxdomain' })).session, dnsConfig: () => 1 });
  const ctx = (network: 'ipv6-only' | 'dual', setting: 'off' | Nat64Prefix = p('2001:db8:64::/96')) => ({
    detector: { current: () => network },
    nat64: nat64(setting),
    pool: { contains: (v4: string) => v4.startsWith('198.18.') },
  });
  const native = { kind: Kind.Native, v4: '192.0.2.20', v6: '::', ttl: 3600 };
  const pool = { kind: Kind.Pool, v4: '198.18.0.1', v6: '2001:db8::6', ttl: 60 };

  it('turn NATIVE answers into NAT64 ones on an IPv6-only network with a prefix', async () => {
    expect(await nat64Entries([native, pool], ctx('ipv6-only'))).toEqual([{ kind: Kind.Nat64, v4: '192.0.2.20', v6: '2001:db8:64::c000:214', ttl: 3600 }, pool]);
    // An address inside the pool (an odd /etc/hosts line) always means the pool.
    const inPool = { ...native, v4: '198.18.3.3' };
    expect(await nat64Entries([inPool], ctx('ipv6-only'))).toEqual([inPool]);
  });

  it('leave them alone on a dual-stack network, and shorten their TTL on an IPv6-only one without NAT64', async () => {
    expect(await nat64Entries([native], ctx('dual'))).toEqual([native]);
    expect(await nat64Entries([native], ctx('ipv6-only', 'off'))).toEqual([{ ...native, ttl: UNREACHABLE_TTL }]);
  });

  it('answer MAP4 of a literal, but never of a pool address, and MAP6 of a NAT64 address', async () => {
    expect(await nat64Map4('192.0.2.99', ctx('ipv6-only'))).toMatchObject({ kind: Kind.Nat64, v4: '192.0.2.99', v6: '2001:db8:64::c000:263' });
    expect(await nat64Map4('198.18.0.7', ctx('ipv6-only'))).toBeUndefined();
    expect(await nat64Map4('192.0.2.99', ctx('dual'))).toBeUndefined();
    expect(await nat64Map4('127.0.0.1', ctx('ipv6-only'))).toBeUndefined();
    expect(nat64Map6('2001:db8:64::c000:263', ctx('ipv6-only'))).toMatchObject({ kind: Kind.Nat64, v4: '192.0.2.99' });
    expect(nat64Map6('2001:db8:1::2', ctx('ipv6-only'))).toBeUndefined();
  });
});
