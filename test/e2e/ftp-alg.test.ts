// The FTP ALG (issue 22 item 3; docs/function-mapper.md, "FTP"): an IPv4
// FTP client under bia on the IPv6-only lab host, against vsftpd on the
// IPv6-only peer (listen_ipv6=YES), reached through its pool address.
// Active mode: the client's PORT and EPRT |1| name an IPv4 address the
// server cannot use ("500 Illegal PORT command" before the ALG); bia
// sends them as EPRT |2| with the host's IPv6 address, and the server's
// data connection reaches the client's (dual-stack) listener. Passive
// mode: the server's 227 names 0.0.0.0, which bia replaces with the
// server's pool address; a client that trusts it (python's ftplib with
// trust_server_pasv_ipv4_address) then connects there. tnftp writes its
// commands through stdio (fprintf, fflush), which the ALG sees at the
// fflush; its active mode fails without that. The control: the
// same clients without bia, which cannot reach the peer at all. The
// server's log shows what it was sent.
//
// vsftpd runs as test/support/vsftpd.ts configures it.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lab } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { PEER_VSFTPD, vsftpdConfig, vsftpdMissing } from '../support/vsftpd.js';


const PEER_SERVER = String.raw`${vsftpdConfig(6)}${PEER_VSFTPD}`;

const PS = '${PIPESTATUS[0]}';
// tnftp (Debian package tnftp) writes its commands through stdio.
const TNFTP = existsSync('/usr/bin/tnftp');
if (!TNFTP && process.env.CI) throw new Error('CI must run the FTP ALG test with tnftp, but it is not installed');
const URL = 'ftp://v6only.test/pub/f.txt';
const LFTP = (mode: string): string => `lftp -c 'set dns:order inet; set ftp:passive-mode ${mode}; set net:timeout 3; set net:max-retries 1; cat ${URL}'`;
// ftplib with the 227 address trusted, as older clients do.
const FTPLIB = String.raw`python3 -c '
import ftplib, sys
f = ftplib.FTP(timeout=5)
f.trust_server_pasv_ipv4_address = True
f.connect(sys.argv[1], 21)
f.login()
print("pasv", f.sendcmd("PASV"))
f.retrlines("RETR pub/f.txt", lambda l: print("ftplib:", l))
f.quit()' 198.18.0.1`;

describe('FTP ALG: an IPv4 client, an IPv6 server', skipWhen(vsftpdMissing), () => {
  it('active mode (PORT, EPRT |1|) and passive mode (227) work through bia; without bia nothing does', async () => {
    const r = await lab(PEER_SERVER + String.raw`
curl -4 -sS -m 5 --ftp-port - ${URL}; echo "RESULT plain_curl $?"
${LFTP('off')}; echo "RESULT plain_lftp $?"
bia run -- curl -4 -sS -m 10 --ftp-port - ${URL} | sed 's/^/eprt: /'; echo "RESULT eprt ${PS}"
bia run -- curl -4 -sS -m 10 --ftp-port - --disable-eprt ${URL} | sed 's/^/port: /'; echo "RESULT port ${PS}"
bia run -- ${LFTP('off')} | sed 's/^/lftp active: /'; echo "RESULT lftp_active ${PS}"
bia run -- curl -4 -sS -m 10 --ftp-pasv --disable-epsv ${URL} | sed 's/^/pasv: /'; echo "RESULT pasv ${PS}"
bia run -- ${LFTP('on')} | sed 's/^/lftp passive: /'; echo "RESULT lftp_passive ${PS}"
bia run -- ${FTPLIB}; echo "RESULT ftplib $?"
${TNFTP ? `bia run -- tnftp -4 -A -o - ${URL} | sed 's/^/tnftp active: /'; echo "RESULT tnftp_active ${PS}"
bia run -- tnftp -4 -o - ${URL} | sed 's/^/tnftp passive: /'; echo "RESULT tnftp_passive ${PS}"` : ''}
sleep 0.3
grep -o 'FTP \(command\|response\): Client "[^"]*", "\(PORT\|EPRT\|PASV\|EPSV\|227\|229\|200\|500\)[^"]*"' "$LAB_DIR/vsftpd.log" | sed 's/^/log: /'
`, { timeoutMs: 90_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('plain_curl'), out).not.toBe(0);
    expect(r.rc('plain_lftp'), out).not.toBe(0);
    for (const name of ['eprt', 'port', 'lftp_active', 'pasv', 'lftp_passive', 'ftplib']) expect(r.rc(name), `${name}\n${out}`).toBe(0);
    for (const tag of ['eprt', 'port', 'lftp active', 'pasv', 'lftp passive']) expect(r.stdout, out).toContain(`${tag}: a file over ftp`);
    expect(r.stdout, out).toContain('ftplib: a file over ftp');
    if (TNFTP) {
      for (const name of ['tnftp_active', 'tnftp_passive']) expect(r.rc(name), `${name}\n${out}`).toBe(0);
      for (const tag of ['tnftp active', 'tnftp passive']) expect(r.stdout, out).toContain(`${tag}: a file over ftp`);
    }
    // The client's PASV reply names the server's pool address (padded to its length).
    expect(r.stdout, out).toMatch(/^pasv 227 \(198,18,0,1,\d+,\d+\) *$/m);
    // The server saw IPv6 EPRTs only, and refused none.
    expect(r.stdout, out).toMatch(/^log: .*"EPRT \|2\|2001:db8:1::1\|\d+\|"$/m);
    expect(r.stdout, out).not.toMatch(/"PORT |"EPRT \|1\||"500 /);
  }, 120_000);

  it('leaves other ports alone, and ftpPorts chooses the ports', async () => {
    const r = await lab(String.raw`
peer timeout 20 python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("2001:db8:1::2", 8021)); s.listen(4)
for _ in range(2):
    c, _ = s.accept()
    print("got", c.recv(200).decode().strip(), flush=True)
    c.close()' &
listener=$!
peer_tcp() { peer ss -Htln "sport = :$1" | grep -q .; }
lab_wait "the peer listener" peer_tcp 8021
SEND='
import socket
s = socket.socket(socket.AF_INET)
s.settimeout(5)
s.connect(("v6only.test", 8021))
s.sendall(b"PORT 1,2,3,4,5,6\r\n")
s.close()'
bia run -- python3 -c "$SEND"; echo "RESULT default $?"
sleep 0.3
bia run --ftp-ports 21,8021 -- python3 -c "$SEND"; echo "RESULT chosen $?"
wait $listener`, { timeoutMs: 40_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('default'), out).toBe(0);
    expect(r.rc('chosen'), out).toBe(0);
    expect(r.stdout.match(/^got .*$/gm), out).toEqual(['got PORT 1,2,3,4,5,6', 'got EPRT |2|2001:db8:1::1|1286|']);
  }, 60_000);
});
