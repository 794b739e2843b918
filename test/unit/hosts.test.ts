import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostsFile, parseHosts } from '../../src/helper/hosts.js';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'hosts');

describe('hosts', () => {
  const hosts = new HostsFile(FIXTURE);

  it('finds canonical names and aliases case-insensitively', () => {
    expect(hosts.lookup('LAPTOP')).toEqual({ canon: 'Laptop.Example.ORG', v4: ['127.0.1.1'], v6: [] });
    expect(hosts.lookup('laptop.example.org')?.v4).toEqual(['127.0.1.1']);
  });

  it('collects IPv4 and IPv6 addresses from every line naming the host', () => {
    expect(hosts.lookup('dual.lan')).toEqual({ canon: 'dual.lan', v4: ['192.0.2.10', '192.0.2.11'], v6: ['2001:db8::10'] });
    // Only the lines that name the alias count for it.
    expect(hosts.lookup('dual')).toEqual({ canon: 'dual.lan', v4: ['192.0.2.10'], v6: ['2001:db8::10'] });
    expect(hosts.lookup('localhost')).toEqual({ canon: 'localhost', v4: ['127.0.0.1'], v6: ['::1'] });
  });

  it('canonicalises IPv6 addresses', () => {
    expect(hosts.lookup('v6only.lan')?.v6).toEqual(['2001:db8::20', '2001:db8::21']);
    expect(hosts.lookup('router.lan')?.v6).toEqual(['fe80::1']);
  });

  it('ignores comments, bad addresses, CIDRs and lines without names', () => {
    expect(hosts.lookup('broken.lan')).toBeUndefined();
    expect(hosts.lookup('cidr.lan')).toBeUndefined();
    expect(hosts.lookup('the')).toBeUndefined();
    expect(hosts.lookup('#')).toBeUndefined();
    expect(parseHosts('192.0.2.13\n\n   \n# x\n').size).toBe(0);
  });

  it('treats an absolute name like a relative one', () => {
    expect(hosts.lookup('dual.lan.')?.canon).toBe('dual.lan');
  });

  it('re-reads the file when it changes, and a missing file is empty', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-hosts-'));
    const file = path.join(dir, 'hosts');
    const live = new HostsFile(file);
    expect(live.lookup('a.lan')).toBeUndefined();
    fs.writeFileSync(file, '192.0.2.1 a.lan\n');
    expect(live.lookup('a.lan')?.v4).toEqual(['192.0.2.1']);
    fs.writeFileSync(file, '192.0.2.2 a.lan\n# now a longer file\n');
    expect(live.lookup('a.lan')?.v4).toEqual(['192.0.2.2']);
    fs.rmSync(dir, { recursive: true });
  });
});
