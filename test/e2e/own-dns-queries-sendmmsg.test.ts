// End to end: DNS questions a program batches with sendmmsg on an
// unconnected UDP socket (test/c/dns_sendmmsg.c: A and AAAA in one call,
// as a resolver may send them) are steered to the helper's DNS endpoint
// like those of sendto and sendmsg (docs/function-mapper.md, "DNS that
// programs send themselves"), and the replies come from the server the
// program addressed. glibc's own resolver sends its batch on a connected
// socket, which connect steers (own-dns-queries.test.ts). Each case runs
// its control: the same program without bia.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const root = new URL('../..', import.meta.url).pathname;

describe('DNS questions sent with sendmmsg', skipWhen(labMissing), () => {
  let dir = '';
  let demo = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bia-sendmmsg-'));
    demo = join(dir, 'dns_sendmmsg');
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', join(root, 'test/c/dns_sendmmsg.c'), '-o', demo]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('on an IPv6-only network: an IPv4 program gets the pool address of an AAAA-only name, from the server it asked', async () => {
    // resolv.conf lists only 2001:db8:1::2: an IPv4 resolver falls back to 127.0.0.1:53, where nothing listens.
    const r = await lab(`${demo} 127.0.0.1 v6only.test | sed 's/^/plain4 /'; echo "RESULT plain4 $PIPESTATUS"
bia run -- ${demo} 127.0.0.1 v6only.test | sed 's/^/bia4 /'; echo "RESULT bia4 $PIPESTATUS"
${demo} 2001:db8:1::2 v6only.test | sed 's/^/plain6 /'
bia run -- ${demo} 2001:db8:1::2 v6only.test | sed 's/^/bia6 /'`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('plain4'), out).not.toBe(0);
    expect(r.stdout, out).not.toMatch(/^plain4 reply/m);
    expect(r.rc('bia4'), out).toBe(0);
    expect(r.stdout, out).toMatch(/^bia4 reply A from 127\.0\.0\.1 port 53: 198\.1[89]\.\d+\.\d+$/m);
    expect(r.stdout, out).toMatch(/^bia4 reply AAAA from 127\.0\.0\.1 port 53: 2001:db8:1::2$/m);
    expect(r.stdout, out).toMatch(/^plain6 reply A from 2001:db8:1::2 port 53:$/m);
    expect(r.stdout, out).toMatch(/^bia6 reply A from 2001:db8:1::2 port 53: 198\.1[89]\.\d+\.\d+$/m);
  });

  it('on an IPv4-only network: the AAAA question for an A-only name gets its synthesized address, from the server asked', async () => {
    const r = await lab(`${demo} ::ffff:198.51.100.2 v4only.test | sed 's/^/plain6 /'
bia run --synth prefix -- ${demo} ::ffff:198.51.100.2 v4only.test | sed 's/^/bia6 /'
${demo} 198.51.100.2 v4only.test | sed 's/^/plain4 /'
bia run --synth prefix -- ${demo} 198.51.100.2 v4only.test | sed 's/^/bia4 /'`, { family: 4 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.stdout, out).toMatch(/^plain6 reply AAAA from ::ffff:198\.51\.100\.2 port 53:$/m);
    expect(r.stdout, out).toMatch(/^bia6 reply AAAA from ::ffff:198\.51\.100\.2 port 53: 64:ff9b::c633:6402$/m);
    expect(r.stdout, out).toMatch(/^bia6 reply A from ::ffff:198\.51\.100\.2 port 53: 198\.51\.100\.2$/m);
    expect(r.stdout, out).toMatch(/^plain4 reply AAAA from 198\.51\.100\.2 port 53:$/m);
    expect(r.stdout, out).toMatch(/^bia4 reply AAAA from 198\.51\.100\.2 port 53: 64:ff9b::c633:6402$/m);
  });
});
