import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResolvConf, resolvConfPath } from '../../src/helper/resolvconf.js';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', name), 'latin1');

describe('parseResolvConf', () => {
  it('reads nameservers (at most 3, with scope ids), search and options', () => {
    expect(parseResolvConf(fixture('resolv.conf'), 'laptop')).toEqual({
      nameservers: [
        { family: 4, address: '192.0.2.53', zone: '' },
        { family: 6, address: '2001:db8::53', zone: '' },
        { family: 6, address: 'fe80::1', zone: 'wlp2s0' },
      ],
      search: ['corp.example.com', 'lab.example.com'],
      ndots: 2,
      timeout: 3,
      attempts: 4,
    });
  });

  it('applies glibc limits, the last of search/domain, and the local default server', () => {
    expect(parseResolvConf(fixture('resolv-limits.conf'), 'laptop')).toEqual({
      nameservers: [{ family: 4, address: '127.0.0.1', zone: '' }],
      search: ['last.example'],
      ndots: 15,
      timeout: 1,
      attempts: 5,
    });
  });

  it('has glibc defaults and searches the host name\'s domain when nothing says otherwise', () => {
    expect(parseResolvConf('', 'laptop.home.example')).toMatchObject({ search: ['home.example'], ndots: 1, timeout: 5, attempts: 2 });
    expect(parseResolvConf('', 'laptop').search).toEqual([]);
  });
});

describe('resolvConfPath', () => {
  it('is overridable with BIA_RESOLV_CONF', () => {
    expect(resolvConfPath({})).toBe('/etc/resolv.conf');
    expect(resolvConfPath({ BIA_RESOLV_CONF: '/tmp/r.conf' })).toBe('/tmp/r.conf');
  });
});
