// The FTP ALG for IPv6 programs (issue 22 item 3; docs/function-mapper.md,
// "FTP"): curl -6 and lftp under bia on the IPv4-only lab host, against
// vsftpd (IPv4) on the peer through the synthesized address of
// v4only.test, in each synthesized format (mapped, prefix 64:ff9b::/96,
// pool, m46a), and with the prefix one on a kernel without IPv6
// (test/c/no_ipv6.c: bia backs each AF_INET6 socket with an AF_INET one).
// Active mode: an EPRT |2| names the socket's IPv6 form of this host's
// address, which the IPv4 server refuses ("500 Bad EPRT protocol" before
// the ALG); bia sends it as EPRT |1| with the IPv4 address, and the
// server's data connection reaches the client's listener. lftp binds that
// listener (and its passive data socket) to the control connection's local
// address, a synthesized one in the prefix format, which bia binds as the
// host's IPv4 address. EPSV passes as it is; curl connects to the 229's
// port at its control peer's text, which it parses with inet_pton(AF_INET)
// first: a synthesized address must not parse as IPv4 there, or curl -6
// drops it ("Failed EPSV attempt"). lftp, seeing a v4-mapped peer, sends
// PORT and PASV itself, unchanged. The control: the same commands without
// bia, which find no IPv6 address to use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lab } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { PEER_VSFTPD, vsftpdConfig, vsftpdMissing } from '../support/vsftpd.js';

const PS = '${PIPESTATUS[0]}';
const FTP_URL = 'ftp://v4only.test/pub/f.txt';
const root = new URL('../..', import.meta.url).pathname;
const lftp = (passive: boolean): string =>
  `lftp -c 'set dns:order inet6; set ftp:passive-mode ${passive ? 'on' : 'off'}; set net:timeout 3; set net:max-retries 1; cat ${FTP_URL}'`;

/** The clients, each run as `bia run SYNTH -- WRAP client`, and its tag. */
const CLIENTS: [string, string][] = [
  ['eprt', `curl -6 -sS -m 10 --ftp-port - ${FTP_URL}`],
  ['epsv', `curl -6 -sS -m 10 --ftp-pasv ${FTP_URL}`],
  ['lftp_active', lftp(false)],
  ['lftp_passive', lftp(true)],
];

function script(synth: string, wrap: string): string {
  const runs = CLIENTS.map(([tag, cmd]) =>
    `bia run ${synth} -- ${wrap}${cmd} | sed 's/^/${tag}: /'; echo "RESULT ${tag} ${PS}"`).join('\n');
  return String.raw`${vsftpdConfig(4)}${PEER_VSFTPD}curl -6 -sS -m 5 --ftp-port - ${FTP_URL}; echo "RESULT plain $?"
${wrap}${lftp(true)}; echo "RESULT plain_lftp $?"
${runs}
sleep 0.3
grep -o 'FTP \(command\|response\): Client "[^"]*", "\(PORT\|EPRT\|PASV\|EPSV\|227\|229\|200\|500\)[^"]*"' "$LAB_DIR/vsftpd.log" | sed 's/^/log: /'`;
}

describe('FTP ALG: an IPv6 client, an IPv4 server', skipWhen(vsftpdMissing), () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bia-ftp6-'));
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', join(root, 'test/c/no_ipv6.c'), '-o', join(dir, 'no_ipv6')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['mapped (default)', '', false],
    ['prefix 64:ff9b::/96', '--synth prefix', false],
    ['pool (MAP6 asked)', '--synth pool', false],
    ['m46a', '--synth m46a --synth-prefix 2001:db8:46::/64 --plane-id 7', false],
    ['prefix 64:ff9b::/96, a kernel without IPv6', '--synth prefix', true],
  ])('curl -6 and lftp, active and passive, work through bia: %s', async (_name, synth, noIpv6) => {
    const r = await lab(script(synth, noIpv6 ? `${join(dir, 'no_ipv6')} ` : ''), { family: 4, timeoutMs: 90_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('plain'), out).not.toBe(0);
    expect(r.rc('plain_lftp'), out).not.toBe(0);
    for (const [tag] of CLIENTS) {
      expect(r.rc(tag), `${tag}\n${out}`).toBe(0);
      expect(r.stdout, out).toContain(`${tag}: a file over ftp`);
    }
    expect(r.stdout, out).toMatch(/^log: FTP command: Client "198\.51\.100\.1", "EPRT \|1\|198\.51\.100\.1\|\d+\|"$/m);
    expect(r.stdout, out).toMatch(/^log: FTP command: Client "198\.51\.100\.1", "EPSV"$/m);
    expect(r.stdout, out).not.toMatch(/"EPRT \|2\||"500 /);
  }, 120_000);
});
