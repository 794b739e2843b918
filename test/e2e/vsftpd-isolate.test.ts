// vsftpd with Debian's default configuration (isolate=YES: each client's
// session runs in a child made by a raw clone() into new pid and IPC
// namespaces, which no atfork handler sees) as an IPv4 server on the
// IPv6-only lab host, under bia run, with an IPv6 client on the peer:
// vsftpd's log must name the client by a stand-in IPv4 address. Before
// the fix the child's dup2 copies of the client socket read AF_INET6
// (issue 16 item 2), and the log said `Client "2001:db8:1::3"`.
//
// Changes to /etc/vsftpd.conf, each for the lab: listen=YES and
// listen_ipv6=NO (the IPv4 server bia translates; Debian ships the IPv6
// listener, which needs no translation), the log in the lab's directory,
// background=NO (the lab waits for it); and, when the lab runs in a user
// namespace (not root), run_as_launching_user=YES, since only root is
// mapped there and vsftpd's setgroups/setuid to its nopriv_user would
// fail. The control: the same server without bia, which the IPv6 client
// cannot reach at all.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const missing = labMissing ?? (existsSync('/usr/sbin/vsftpd') ? undefined : 'vsftpd is not installed');
if (missing && process.env.CI) throw new Error(`CI must run the vsftpd test, but: ${missing}`);
const userns = process.geteuid?.() !== 0 || process.env.BIA_LAB_USERNS === '1';

const RUN = String.raw`conf="$LAB_DIR/vsftpd.conf"
sed -e 's/^listen=NO/listen=YES/' -e 's/^listen_ipv6=YES/listen_ipv6=NO/' /etc/vsftpd.conf >"$conf"
printf 'vsftpd_log_file=%s\nbackground=NO\n' "$LAB_DIR/vsftpd.log" >>"$conf"
${userns ? `echo run_as_launching_user=YES >>"$conf"` : ''}
host_tcp() { ss -Htln "sport = :$1" | grep -q .; }
greet() {
  peer python3 -c '
import socket
s = socket.create_connection(("2001:db8:1::1", 21), timeout=5)
print("greeting", s.recv(200).decode().strip())
s.sendall(b"QUIT\r\n")
s.recv(200)'
}
/usr/sbin/vsftpd "$conf" &
lab_wait "vsftpd without bia" host_tcp 21
greet; echo "RESULT plain $?"
kill $! && wait $! 2>/dev/null
while host_tcp 21; do sleep 0.1; done
bia run -- /usr/sbin/vsftpd "$conf" &
lab_wait "vsftpd under bia" host_tcp 21
greet; echo "RESULT bia $?"
sleep 0.5
cat "$LAB_DIR/vsftpd.log"`;

describe('vsftpd, default configuration (isolate=YES: sessions in raw clone() children)', skipWhen(missing), () => {
  it('an IPv6 client is logged by a stand-in IPv4 address', async () => {
    const r = await lab(RUN);
    const log = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('plain'), log).not.toBe(0);
    expect(r.rc('bia'), log).toBe(0);
    expect(r.stdout, log).toMatch(/^greeting 220 /m);
    expect(r.stdout, log).toMatch(/CONNECT: Client "198\.1[89]\.\d+\.\d+"/);
    expect(r.stdout, log).not.toMatch(/Client "2001:/);
  }, 60_000);
});
