// The FTP ALG for servers (issue 22 item 3; docs/function-mapper.md,
// "FTP"): vsftpd as an IPv4-only server (listen=YES, listen_ipv6=NO) under
// bia on the IPv6-only lab host, and IPv6 clients on the peer. Active
// mode: the client's EPRT |2| names an IPv6 address the IPv4 server
// refuses ("500 Illegal EPRT command" before the ALG); bia gives the
// server PORT with the client's stand-in IPv4 address instead, and the
// server's data connection to it reaches the client. EPSV passes as it
// is. The control: the same server without bia, which the IPv6 clients
// cannot reach at all.
import { describe, expect, it } from 'vitest';
import { lab } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { vsftpdConfig, vsftpdMissing } from '../support/vsftpd.js';


const PS = '${PIPESTATUS[0]}';
const URL = 'ftp://[2001:db8:1::1]/pub/f.txt';
const LFTP = `lftp -c 'set ftp:passive-mode off; set net:timeout 3; set net:max-retries 1; cat ${URL}'`;

const RUN = String.raw`${vsftpdConfig(4)}host_tcp() { ss -Htln "sport = :$1" | grep -q .; }
/usr/sbin/vsftpd "$conf" &
lab_wait "vsftpd without bia" host_tcp 21
peer curl -6 -sS -m 5 --ftp-port - ${URL}; echo "RESULT plain $?"
kill $! && wait $! 2>/dev/null
while host_tcp 21; do sleep 0.1; done
bia run -- /usr/sbin/vsftpd "$conf" &
lab_wait "vsftpd under bia" host_tcp 21
peer curl -6 -sS -m 10 --ftp-port - ${URL} | sed 's/^/eprt: /'; echo "RESULT eprt ${PS}"
peer ${LFTP} | sed 's/^/lftp active: /'; echo "RESULT lftp_active ${PS}"
peer curl -6 -sS -m 10 --ftp-pasv ${URL} | sed 's/^/epsv: /'; echo "RESULT epsv ${PS}"
sleep 0.3
grep -o 'FTP \(command\|response\): Client "[^"]*", "\(PORT\|EPRT\|PASV\|EPSV\|227\|229\|200\|500\)[^"]*"' "$LAB_DIR/vsftpd.log" | sed 's/^/log: /'`;

describe('FTP ALG: an IPv4 server, IPv6 clients', skipWhen(vsftpdMissing), () => {
  it('active mode (EPRT |2|) and EPSV work through bia; without bia the server is out of reach', async () => {
    const r = await lab(RUN, { timeoutMs: 90_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('plain'), out).not.toBe(0);
    for (const name of ['eprt', 'lftp_active', 'epsv']) expect(r.rc(name), `${name}\n${out}`).toBe(0);
    for (const tag of ['eprt', 'lftp active', 'epsv']) expect(r.stdout, out).toContain(`${tag}: a file over ftp`);
    // The server was given PORT with the client's stand-in address, and EPSV as it was sent.
    expect(r.stdout, out).toMatch(/^log: FTP command: Client "198\.1[89]\.\d+\.\d+", "PORT 0*198,1[89],\d+,\d+,\d+,\d+"$/m);
    expect(r.stdout, out).toMatch(/^log: FTP command: Client "198\.1[89]\.\d+\.\d+", "EPSV"$/m);
    expect(r.stdout, out).not.toMatch(/"EPRT |"500 /);
  }, 120_000);
});
