// End to end: BIA complements NAT64 (draft introduction). On the lab's
// IPv6-only network, lab_nat64 fakes a NAT64 (the peer answers at the
// NAT64 address of v4only.test's 192.0.2.20, the DNS answers ipv4only.arpa
// as a DNS64 would): IPv4 programs reach the A-only name and the IPv4
// literal through it and see only IPv4 addresses. Without one, the connect
// fails with ENETUNREACH and a line that says why.
import { describe, expect, it } from 'vitest';
import { lab, labMissing, taygaMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

// tayga: a real translator (Debian package tayga; .ci/run installs it).
const noTayga = taygaMissing();

const PY_PEER = (host: string) => String.raw`python3 - <<'PY'
import socket
s = socket.create_connection(("${host}", 8080), timeout=3)
print("peername", s.getpeername()[0])
print("greeting", s.recv(200).decode().strip())
PY`;

const HELPER_LOG = '$LAB_DIR/state/bia/helper.log';

// bia status in text, and the "nat64" object of --json on a line "NAT64JSON <json>".
const STATUS = String.raw`bia status; echo "RESULT status $?"
bia status --json | python3 -c 'import json, sys; print("NAT64JSON", json.dumps(json.load(sys.stdin)["helper"]["nat64"]))'`;
const nat64Json = (stdout: string, nth = 0): { source: string; prefix: string | null; ttl: number | null } =>
  JSON.parse([...stdout.matchAll(/^NAT64JSON (.*)$/gm)][nth][1]);

describe('an IPv4 program on an IPv6-only network with NAT64', skipWhen(labMissing), () => {
  it('reaches an A-only name and an IPv4 literal through the discovered prefix (nc, curl -4, python3)', async () => {
    const r = await lab(String.raw`lab_nat64
peer_serve_tcp 8080
peer python3 -m http.server --bind :: 8081 --directory /usr/share/doc/curl >/dev/null 2>&1 &
lab_wait "the web server" peer_listening 8081
nc.traditional -w 2 v4only.test 8080; echo "RESULT plain $?"
bia run -- nc.traditional -w 2 v4only.test 8080; echo "RESULT nc_name $?"
bia run -- nc.traditional -w 2 192.0.2.20 8080; echo "RESULT nc_literal $?"
bia run -- curl -4 -sS -m 3 -o /dev/null -w 'code=%{http_code} remote=%{remote_ip}\n' http://v4only.test:8081/copyright; echo "RESULT curl $?"
bia run -- curl -4 -sS -m 3 -o /dev/null -w 'code=%{http_code} remote=%{remote_ip}\n' http://192.0.2.20:8081/copyright; echo "RESULT curl_literal $?"
bia run --trace -- ${PY_PEER('v4only.test')}
echo "RESULT py $?"
${STATUS}
cat ${HELPER_LOG}`);
    expect(r.rc('plain')).not.toBe(0);
    for (const name of ['nc_name', 'nc_literal', 'curl', 'curl_literal', 'py']) expect(r.rc(name), `${name}\n${r.stderr}`).toBe(0);
    // The peer saw the host's own IPv6 address: the connection went over IPv6 to the NAT64 address.
    expect(r.stdout.match(/hello from the IPv6-only peer, you are \[2001:0?db8:0{0,3}1:[0:]*:0{0,3}1\]/g)?.length).toBe(3);
    expect(r.stdout.match(/code=200 remote=192\.0\.2\.20/g)?.length).toBe(2);
    // The program saw only the real IPv4 address.
    expect(r.stdout).toContain('peername 192.0.2.20');
    expect(r.stderr).toMatch(/connect 192\.0\.2\.20:8080 -> \[2001:db8:64::c000:214\]:8080/);
    expect(r.stdout).toContain('NAT64 prefix 2001:db8:64::/96 (RFC 7050: ipv4only.arpa)');
    // bia status shows the prefix, how it was learnt and how long it holds
    // (dnsmasq answers with ttl 0, which the helper raises to its floor of 60 s).
    expect(r.rc('status'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^nat64: {3}2001:db8:64::\/96 \(RFC 7050 discovery, ipv4only\.arpa; learnt again in \d+s\)$/m);
    const json = nat64Json(r.stdout);
    expect(json).toMatchObject({ source: 'rfc7050', prefix: '2001:db8:64::/96' });
    expect(json.ttl).toBeGreaterThan(0);
    expect(json.ttl).toBeLessThanOrEqual(60);
  });

  it('finds a /64 prefix as well, and uses a configured prefix without discovery', async () => {
    const r = await lab(String.raw`lab_nat64 2001:db8:46::/64
peer_serve_tcp 8080
bia run -- ${PY_PEER('v4only.test')}
echo "RESULT discovered $?"
bia stop
: >"$LAB_DIR/peer-hosts"; kill -HUP "$(cat "$LAB_DIR/dnsmasq.pid")"
BIA_NAT64=2001:db8:46::/64 bia run -- ${PY_PEER('192.0.2.20')}
echo "RESULT configured $?"
${STATUS}
cat ${HELPER_LOG}`);
    expect(r.rc('discovered'), r.stderr).toBe(0);
    expect(r.rc('configured'), r.stderr).toBe(0);
    expect(r.stdout.match(/greeting hello from the IPv6-only peer/g)?.length).toBe(2);
    expect(r.stdout).toContain('NAT64 prefix 2001:db8:46::/64 (RFC 7050: ipv4only.arpa)');
    expect(r.stdout).toMatch(/^nat64: {3}2001:db8:46::\/64 \(configured\)$/m);
    expect(nat64Json(r.stdout)).toEqual({ source: 'config', prefix: '2001:db8:46::/64', ttl: null });
  });

  it('without NAT64 (discovery answers nothing, or nat64 off) the connect fails with ENETUNREACH and says why', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
bia run -- python3 - <<'PY'
import errno, socket
for host in ("v4only.test", "192.0.2.20"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    print("connect", host, errno.errorcode.get(s.connect_ex((socket.gethostbyname(host), 8080)), "0"))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.sendto(b"x", ("192.0.2.20", 9))
except OSError as e:
    print("sendto", errno.errorcode[e.errno])
PY
echo "RESULT bia $?"
${STATUS}
bia stop
lab_nat64
bia run --nat64 off -- nc.traditional -w 2 192.0.2.20 8080; echo "RESULT off $?"
${STATUS}
cat ${HELPER_LOG}`);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('connect v4only.test ENETUNREACH');
    expect(r.stdout).toContain('connect 192.0.2.20 ENETUNREACH');
    expect(r.stderr).toMatch(/connect 192\.0\.2\.20:8080: Network is unreachable: an IPv4-only destination on an IPv6-only network, and the helper knows no NAT64/);
    expect(r.stdout).toContain('sendto ENETUNREACH');
    expect(r.stderr).toMatch(/sendto 192\.0\.2\.20:9: Network is unreachable: an IPv4-only destination/);
    expect(r.rc('off')).not.toBe(0);
    expect(r.stdout).toMatch(/no NAT64 found \(ipv4only\.arpa has no AAAA record\)/);
    // bia status says there is none, and why: discovery found none (asked
    // again after 300 s), or NAT64 is off.
    expect(r.stdout).toMatch(/^nat64: {3}none \(RFC 7050 discovery found no NAT64 prefix; learnt again in \d+s\)$/m);
    const found = nat64Json(r.stdout, 0);
    expect(found).toMatchObject({ source: 'none', prefix: null });
    expect(found.ttl).toBeGreaterThan(0);
    expect(found.ttl).toBeLessThanOrEqual(300);
    expect(r.stdout).toMatch(/^nat64: {3}none \(turned off by configuration\)$/m);
    expect(nat64Json(r.stdout, 1)).toEqual({ source: 'off', prefix: null, ttl: null });
  });

  it('carries UDP too: replies come from the IPv4 address the program sent to', async () => {
    const r = await lab(String.raw`lab_nat64
# Bound to the NAT64 address, so that replies come from it, as from a translator.
peer socat "UDP6-RECVFROM:9999,bind=[$LAB_NAT64_PEER],fork" PIPE &
sleep 0.3
bia run -- python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"ping", ("192.0.2.20", 9999))
data, src = s.recvfrom(100)
print("udp", data.decode(), src[0], src[1])
PY
echo "RESULT udp $?"`);
    expect(r.rc('udp'), r.stderr).toBe(0);
    expect(r.stdout).toContain('udp ping 192.0.2.20 9999');
  });

  it('goes through a real translator (tayga): the IPv4-only server sees an IPv4 client', skipWhen(noTayga), async () => {
    const r = await lab(String.raw`lab_tayga
nc.traditional -w 2 v4only.test 8080; echo "RESULT plain $?"
bia run -- nc.traditional -w 2 v4only.test 8080; echo "RESULT name $?"
bia run -- ${PY_PEER('192.0.2.20')}
echo "RESULT literal $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('name'), r.stderr).toBe(0);
    expect(r.rc('literal'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello from the IPv4-only peer, you are 192\.168\.255\.\d+$/m);
    expect(r.stdout).toContain('peername 192.0.2.20');
    expect(r.stdout).toMatch(/greeting hello from the IPv4-only peer, you are 192\.168\.255\.\d+/);
  });
});
