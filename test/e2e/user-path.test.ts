// An ordinary user's PATH has no sbin directories, where Debian keeps
// dnsmasq, tayga and getcap: `npm run demo` once failed for every user
// ("nsenter: failed to execute dnsmasq"). The lab and bia doctor look
// there after PATH (src/sbin.ts, src/lab/lab.sh).
import { afterEach, describe, expect, it } from 'vitest';
import { runInLab } from '../../src/lab/lab.js';
import { findTool, pathWithSbin, SBIN_DIRS } from '../../src/sbin.js';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const USER_PATH = '/usr/local/bin:/usr/bin:/bin';
const saved = process.env.PATH;
afterEach(() => {
  process.env.PATH = saved;
});

describe('tools in sbin directories, for a user whose PATH has none', () => {
  it('are found after the PATH, which still comes first', () => {
    expect(pathWithSbin(USER_PATH)).toBe(`${USER_PATH}:${SBIN_DIRS.join(':')}`);
    expect(pathWithSbin('/usr/sbin:/usr/bin')).toBe('/usr/sbin:/usr/bin:/usr/local/sbin:/sbin');
    expect(findTool('sh', '/bin')).toBe('/bin/sh');
    expect(findTool('no-such-tool-here', USER_PATH)).toBeUndefined();
  });

  it('the lab comes up with its DNS server, and the lab shell finds dnsmasq', skipWhen(labMissing), async () => {
    process.env.PATH = USER_PATH;
    const r = await runInLab('command -v dnsmasq; getent ahostsv6 v6only.test | head -1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sbin\/dnsmasq\n2001:db8:1::2 /);
  });
});
