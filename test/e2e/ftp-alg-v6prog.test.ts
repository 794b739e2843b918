// The FTP ALG for IPv6 programs (issue 22 item 3; docs/function-mapper.md,
// "FTP"): curl -6 under bia on the IPv4-only lab host, against vsftpd
// (IPv4) on the peer through the synthesized address of v4only.test.
// Active mode: curl's EPRT |2| names its socket's IPv6 form of this
// host's address, which the IPv4 server refuses ("500 Bad EPRT protocol"
// before the ALG); bia sends it as EPRT |1| with the IPv4 address, and the
// server's data connection reaches curl's listener. EPSV passes as it is.
// lftp sends PORT itself (it sees the v4-mapped address), unchanged. The
// control: curl -6 without bia, which finds no IPv6 address to use.
import { describe, expect, it } from 'vitest';
import { lab } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { PEER_VSFTPD, vsftpdConfig, vsftpdMissing } from '../support/vsftpd.js';


const PS = '${PIPESTATUS[0]}';
const URL = 'ftp://v4only.test/pub/f.txt';
const LFTP = `lftp -c 'set dns:order inet6; set ftp:passive-mode off; set net:timeout 3; set net:max-retries 1; cat ${URL}'`;

const RUN = String.raw`${vsftpdConfig(4)}${PEER_VSFTPD}curl -6 -sS -m 5 --ftp-port - ${URL}; echo "RESULT plain $?"
bia run -- curl -6 -sS -m 10 --ftp-port - ${URL} | sed 's/^/eprt: /'; echo "RESULT eprt ${PS}"
bia run -- curl -6 -sS -m 10 --ftp-pasv ${URL} | sed 's/^/epsv: /'; echo "RESULT epsv ${PS}"
bia run -- ${LFTP} | sed 's/^/lftp active: /'; echo "RESULT lftp_active ${PS}"
sleep 0.3
grep -o 'FTP \(command\|response\): Client "[^"]*", "\(PORT\|EPRT\|PASV\|EPSV\|227\|229\|200\|500\)[^"]*"' "$LAB_DIR/vsftpd.log" | sed 's/^/log: /'`;

describe('FTP ALG: an IPv6 client, an IPv4 server', skipWhen(vsftpdMissing), () => {
  it('active mode (EPRT |2|) and EPSV work through bia; without bia curl -6 has no address', async () => {
    const r = await lab(RUN, { family: 4, timeoutMs: 90_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('plain'), out).not.toBe(0);
    for (const name of ['eprt', 'epsv', 'lftp_active']) expect(r.rc(name), `${name}\n${out}`).toBe(0);
    for (const tag of ['eprt', 'epsv', 'lftp active']) expect(r.stdout, out).toContain(`${tag}: a file over ftp`);
    expect(r.stdout, out).toMatch(/^log: FTP command: Client "198\.51\.100\.1", "EPRT \|1\|198\.51\.100\.1\|\d+\|"$/m);
    expect(r.stdout, out).toMatch(/^log: FTP command: Client "198\.51\.100\.1", "EPSV"$/m);
    expect(r.stdout, out).not.toMatch(/"EPRT \|2\||"500 /);
  }, 120_000);
});
