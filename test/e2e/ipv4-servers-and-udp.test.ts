// End to end: IPv4-only servers under `bia run` on the IPv6-only lab host
// accept IPv6 clients from the peer and see them as pool IPv4 addresses
// (draft 3.2, MAP6); IPv4-only UDP clients reach an IPv6-only peer; the
// socket options and control messages of a translated socket still speak
// IPv4. Every case also runs its control: the same program without bia.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const HOST = '[2001:db8:1::1]';
const POOL = /198\.1[89]\.\d+\.\d+/;

// Helpers for the lab body: wait for a host or peer listener.
const WAITS = String.raw`host_tcp() { ss -Htln "sport = :$1" | grep -q .; }
host_udp() { ss -Huln "sport = :$1" | grep -q .; }
peer_udp() { peer ss -Huln "sport = :$1" | grep -q .; }
`;

// A UDP echo on the peer that marks its replies with traffic class 0x20. It
// is bound to the address v6only.test has, so that its replies come from
// that address (the peer also has multi.test's second one).
const PEER_UDP_ECHO = String.raw`peer python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0x20)
s.bind((sys.argv[1], 9000))
while True:
    d, a = s.recvfrom(2000)
    s.sendto(d, a)
' "$LAB_PEER6" &
lab_wait "the peer's UDP echo" peer_udp 9000
`;

describe('IPv4-only servers and UDP programs on an IPv6-only network', skipWhen(labMissing), () => {
  it('python3 http.server, socat TCP4-LISTEN, nc -l and socat UDP4-RECVFROM accept IPv6 clients, seen as pool addresses', async () => {
    const r = await lab(String.raw`${WAITS}
python3 -m http.server --bind 0.0.0.0 8010 --directory /usr/share/doc/curl >/dev/null 2>&1 &
lab_wait "plain http.server" host_tcp 8010
peer curl -6 -sS -m 2 -o /dev/null 'http://${HOST}:8010/copyright'; echo "RESULT plain-http $?"
bia run -- python3 -m http.server --bind 0.0.0.0 8000 --directory /usr/share/doc/curl >"$LAB_DIR/http.log" 2>&1 &
lab_wait "http.server" host_tcp 8000
peer curl -6 -sS -m 3 -o /dev/null -w 'code=%{http_code}\n' 'http://${HOST}:8000/copyright'; echo "RESULT bia-http $?"
peer curl -6 -sS -m 3 -o /dev/null 'http://${HOST}:8000/copyright'
sed 's/^/http-log /' "$LAB_DIR/http.log"

socat TCP4-LISTEN:8011,reuseaddr SYSTEM:'echo plain' &
lab_wait "plain socat" host_tcp 8011
peer socat -T 2 - 'TCP6:${HOST}:8011' </dev/null; echo "RESULT plain-socat $?"
bia run -- socat TCP4-LISTEN:8001,reuseaddr SYSTEM:'echo "socat-tcp you are $SOCAT_PEERADDR"' &
lab_wait "socat" host_tcp 8001
peer socat -T 2 - 'TCP6:${HOST}:8001' </dev/null; echo "RESULT bia-socat $?"

(echo plain; sleep 1) | nc.traditional -l -p 8013 &
lab_wait "plain nc -l" host_tcp 8013
peer socat -T 2 - 'TCP6:${HOST}:8013' </dev/null; echo "RESULT plain-nc $?"
(echo nc-greeting; sleep 1) | bia run -- nc.traditional -l -p 8003 &
lab_wait "nc -l" host_tcp 8003
peer socat -T 2 - 'TCP6:${HOST}:8003' </dev/null; echo "RESULT bia-nc $?"

socat -T 2 UDP4-RECVFROM:8002 SYSTEM:'echo plain-udp' &
lab_wait "plain socat udp" host_udp 8002
echo hi | peer socat -T 1 - 'UDP6:${HOST}:8002' | grep .; echo "RESULT plain-udp $?"
bia run -- socat UDP4-RECVFROM:8004,fork SYSTEM:'echo "socat-udp you are $SOCAT_PEERADDR"' &
lab_wait "socat udp" host_udp 8004
echo hi | peer socat -T 2 - 'UDP6:${HOST}:8004'; echo "RESULT bia-udp $?"
`);
    expect(r.rc('plain-http')).not.toBe(0);
    expect(r.rc('bia-http'), r.stderr).toBe(0);
    expect(r.stdout).toContain('code=200');
    const logged = [...r.stdout.matchAll(/^http-log (\S+) .*"GET \/copyright/gm)].map((m) => m[1]);
    expect(logged.length, r.stdout).toBe(2);
    expect(logged[0]).toMatch(POOL);
    expect(logged[1]).toBe(logged[0]); // the same client, the same pool address

    expect(r.rc('plain-socat')).not.toBe(0);
    expect(r.rc('bia-socat'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^socat-tcp you are ${POOL.source}$`, 'm'));

    expect(r.rc('plain-nc')).not.toBe(0);
    expect(r.rc('bia-nc'), r.stderr).toBe(0);
    expect(r.stdout).toContain('nc-greeting');

    expect(r.rc('plain-udp')).not.toBe(0);
    expect(r.rc('bia-udp'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^socat-udp you are ${POOL.source}$`, 'm'));
  });

  it('socat UDP4 and nc -u reach an IPv6-only UDP peer by name; python3 sees IPv4 addresses, options and control messages', async () => {
    const r = await lab(String.raw`${WAITS}${PEER_UDP_ECHO}peer_serve_tcp 8080
echo socat-echo | socat -T 1 - UDP4:v6only.test:9000; echo "RESULT plain-socat $?"
echo socat-echo | bia run -- socat -T 2 - UDP4:v6only.test:9000; echo "RESULT bia-socat $?"
echo nc-echo | nc.traditional -u -w 1 v6only.test 9000; echo "RESULT plain-nc $?"
echo nc-echo | bia run -- nc.traditional -u -w 1 v6only.test 9000; echo "RESULT bia-nc $?"
bia run -- python3 - <<'PY'
import errno, socket, struct
IP_PKTINFO, IP_RECVTTL, IP_RECVTOS = 8, 12, 13
pool = socket.gethostbyname("v6only.test")
print("pool", pool)

# Unconnected UDP: sendto a pool address, recvfrom reports it back.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(3)
u.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x28)
u.sendto(b"one", (pool, 9000))
data, src = u.recvfrom(100)
print("recvfrom", src[0], src[1], data.decode())
print("udp-domain", u.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_INET)
print("udp-tos", hex(u.getsockopt(socket.IPPROTO_IP, socket.IP_TOS)))

# Ancillary data after IPv4 options set on the swapped socket.
for opt in (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS):
    u.setsockopt(socket.IPPROTO_IP, opt, 1)
u.sendto(b"two", (pool, 9000))
data, anc, flags, src = u.recvmsg(100, 256)
print("recvmsg", src[0], data.decode(), "ctrunc" if flags & socket.MSG_CTRUNC else "")
for level, kind, value in anc:
    if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
        ifindex, spec, addr = struct.unpack("i4s4s", value)
        print("cmsg IP_PKTINFO", socket.inet_ntoa(addr))
    elif level == socket.IPPROTO_IP and kind == socket.IP_TTL:
        print("cmsg IP_TTL", struct.unpack("i", value)[0])
    elif level == socket.IPPROTO_IP and kind == socket.IP_TOS:
        print("cmsg IP_TOS", hex(value[0]))
    else:
        print("cmsg other", level, kind)

# IPv4 multicast on a translated socket: refused, clearly.
try:
    mreq = socket.inet_aton("239.1.2.3") + socket.inet_aton("0.0.0.0")
    u.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    print("multicast joined")
except OSError as e:
    print("multicast", errno.errorcode[e.errno])

# TCP: IP_TOS set before the connect that swaps the socket still holds.
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.settimeout(3)
t.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x48)
t.connect((pool, 8080))
print("tcp-tos", hex(t.getsockopt(socket.IPPROTO_IP, socket.IP_TOS)))
print("tcp-domain", t.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_INET)

# A second bind to a port a translated listener holds: EADDRINUSE.
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.bind(("0.0.0.0", 8090))
l.listen()
m = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    m.bind(("0.0.0.0", 8090))
    print("second bind ok")
except OSError as e:
    print("second bind", errno.errorcode[e.errno])
PY
echo "RESULT bia-python $?"
`);
    expect(r.rc('plain-socat')).not.toBe(0);
    expect(r.rc('bia-socat'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^socat-echo$/m);
    expect(r.rc('plain-nc')).not.toBe(0);
    expect(r.rc('bia-nc'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^nc-echo$/m);

    expect(r.rc('bia-python'), r.stderr).toBe(0);
    const pool = r.stdout.match(/^pool (\S+)$/m)?.[1];
    expect(pool, r.stdout).toMatch(POOL);
    expect(r.stdout).toContain(`recvfrom ${pool} 9000 one`);
    expect(r.stdout).toContain('udp-domain True');
    expect(r.stdout).toContain('udp-tos 0x28');
    expect(r.stdout).toMatch(new RegExp(`^recvmsg ${pool!.replace(/\./g, '\\.')} two $`, 'm'));
    // The local address a datagram came to: this host's fixed stand-in.
    expect(r.stdout).toMatch(/^cmsg IP_PKTINFO 192\.0\.0\.2$/m);
    expect(r.stdout).toMatch(/^cmsg IP_TTL \d+$/m);
    expect(r.stdout).toContain('cmsg IP_TOS 0x20');
    expect(r.stdout).not.toContain('cmsg other');
    expect(r.stdout).toContain('multicast ENOPROTOOPT');
    expect(r.stderr).toMatch(/multicast option \d+ refused/);
    expect(r.stdout).toContain('tcp-tos 0x48');
    expect(r.stdout).toContain('tcp-domain True');
    expect(r.stdout).toContain('second bind EADDRINUSE');
  });
});
