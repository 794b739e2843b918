// End to end: what a user reads on the program's stderr when bia cannot
// help, in one IPv6-only lab:
// - a full pool (--pool 198.18.0.0/29, its addresses held by live
//   connections): each program says once which pool is full, how many
//   addresses live connections hold and what to do, and its lookup fails
//   as a temporary failure (EAI_AGAIN, TRY_AGAIN), not "Memory allocation
//   failure";
// - ping -4 to an IPv6-only name under that small pool: it works (its
//   echoes are translated, test/e2e/ping-echo.test.ts), and its name keeps
//   a pool address; no line blames a missing NAT64;
// - the host's own IPv6 address (getsockname, ping's UDP probe) shows as
//   the fixed stand-in 192.0.0.2 and takes no pool address, so it neither
//   fills the pool nor fails with it; an IPv6 client of an IPv4 server
//   that finds no pool address is refused (EADDRNOTAVAIL), never shown as
//   0.0.0.0.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

// Holds a connection to each of the peer's addresses 2001:db8:1::10..15 (IPv6
// literals asked for as AF_INET: one pool address each, while there is one),
// then waits.
const HOLD = String.raw`import socket, sys, time
held = []
for i in range(10, 16):
    try:
        a = socket.getaddrinfo("2001:db8:1::%d" % i, 8080, socket.AF_INET, socket.SOCK_STREAM)[0][4]
        held.append(socket.create_connection(a, timeout=3))
        print("held", a[0], flush=True)
    except OSError as e:
        print("refused", i, e, flush=True)
open(sys.argv[1], "w").close()
time.sleep(60)`;

describe('messages a user can act on', skipWhen(labMissing), () => {
  it('a full pool names itself once per process; ping -4 to a stand-in address is answered', async () => {
    const r = await lab(
      `for i in 10 11 12 13 14 15; do peer ip addr add 2001:db8:1::$i/64 dev eth0 nodad; done
peer_serve_tcp 8080
printf '2001:db8:1::15 full.test\n' >"$LAB_DIR/peer-hosts"
kill -HUP "$(cat "$LAB_DIR/dnsmasq.pid")"
lab_wait "the name full.test" sh -c "getent ahostsv6 full.test | grep -q ."
bia run --pool 198.18.0.0/29 -- ping -4 -c 1 -W 1 v6only.test >/dev/null 2>"$LAB_DIR/ping.err"; echo "RESULT ping $?"
sed 's/^/ping: /' "$LAB_DIR/ping.err"
cat >"$LAB_DIR/hold.py" <<'PY'
${HOLD}
PY
bia run -- python3 "$LAB_DIR/hold.py" "$LAB_DIR/ready" 2>"$LAB_DIR/hold.err" &
lab_wait "the connections that fill the pool" test -e "$LAB_DIR/ready"
sed 's/^/holder: /' "$LAB_DIR/hold.err"
bia run -- curl -4 -sS -m 3 http://full.test:8080/ 2>&1 | sed 's/^/curl: /'
bia run -- python3 -c '
import socket
for _ in range(3):
    try:
        socket.getaddrinfo("full.test", 80, socket.AF_INET)
    except socket.gaierror as e:
        print("gaierror", e.errno == socket.EAI_AGAIN, e)
' 2>&1 | sed 's/^/python: /'
bia run -- python3 -c '
import socket
s = socket.create_connection((socket.gethostbyname("v6only.test"), 8080), timeout=3)
print("sockname", s.getsockname()[0], "peername", s.getpeername()[0])
' 2>&1 | sed 's/^/local: /'
bia run -- python3 -c '
import socket, sys
l = socket.socket(); l.bind(("0.0.0.0", 7000)); l.listen(); print("listening", flush=True)
l.settimeout(8)
try:
    c, peer = l.accept(); print("accepted", peer[0])
except OSError as e:
    print("accept", e.strerror)
' >"$LAB_DIR/accept.out" 2>&1 &
lab_wait "the IPv4 server" grep -q listening "$LAB_DIR/accept.out"
peer socat -T 2 - TCP6:[2001:db8:1::1]:7000 </dev/null; wait $!
sed 's/^/server: /' "$LAB_DIR/accept.out"`,
    );
    expect(r.rc('ping'), r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/^ping: /m);
    expect(r.stdout).not.toContain('NAT64');
    // Six addresses: ping's name keeps one (idle, within its quarantine),
    // five connections hold the rest; the sixth finds the pool full.
    expect(r.stdout.match(/^held 198\.18\.0\.\d$/gm), r.stdout).toHaveLength(5);
    const full = 'pool 198.18.0.0/29 is full (5 addresses held by live connections): see bia status, or widen --pool';
    expect(r.stdout).toMatch(new RegExp(`^holder: bia\\[\\d+\\]: ${full.replace(/[.()/]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^curl: bia\\[\\d+\\]: ${full.replace(/[.()/]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toContain('curl: curl: (6) Could not resolve host: full.test');
    // Once per process, however many lookups fail; the program sees a temporary failure.
    expect(r.stdout.match(/^python: bia\[\d+\]: pool 198\.18\.0\.0\/29 is full/gm)).toHaveLength(1);
    expect(r.stdout.match(/^python: gaierror True \[Errno -3\] Temporary failure in name resolution$/gm)).toHaveLength(3);
    // The host's own address under a full pool: its fixed stand-in, no pool
    // address asked for (ping's UDP probe took one before, and warned).
    expect(r.stdout).toContain('local: sockname 192.0.0.2 peername 198.18.0.1\n');
    expect(r.stdout).not.toMatch(/no IPv4 address for 2001:db8:1::1(?![0-9a-f])/);
    // An IPv6 client of an IPv4 server finds no pool address either: accept
    // fails (the connection closed) rather than show it as 0.0.0.0.
    expect(r.stdout).toContain('server: accept Cannot assign requested address');
    expect(r.stdout).not.toContain('server: accepted');
  });
});
