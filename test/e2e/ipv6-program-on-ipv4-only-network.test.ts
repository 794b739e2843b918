// End to end: real, unmodified IPv6-only programs on an IPv4-only network
// (lab_up4 in src/lab/lab.sh: IPv6 disabled on the host's interface) reach
// an IPv4-only peer by name through `bia run`, via synthesized ::ffff:a.b.c.d
// addresses that the kernel carries over IPv4. Every case also runs its
// control: the same command without bia fails. The peer sees an IPv4 client.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const FOUR = { family: 4 as const };

// An AF_INET6 client that insists on IPv6 only (IPV6_V6ONLY=1 before connect).
const PY_V6ONLY = String.raw`python3 - <<'PY'
import socket
ai = socket.getaddrinfo("v4only.test", 8080, socket.AF_INET6, socket.SOCK_STREAM)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.settimeout(3)
s.connect(ai[0][4])
print("resolved", ai[0][4][0])
print("v6only", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
print("dup v6only", s.dup().getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
print("peername", s.getpeername()[0])
print("greeting", s.recv(200).decode().strip())
PY`;

describe('an IPv6-only program on an IPv4-only network', skipWhen(labMissing), () => {
  it('curl -6 fetches a page from an A-only name; without bia it cannot', async () => {
    const r = await lab(
      `peer python3 -m http.server 8080 --bind 198.51.100.2 >/dev/null 2>"$LAB_DIR/http.log" &
lab_wait "the peer's web server" peer_listening 8080
curl -6 -sS -m 5 -o /dev/null http://v4only.test:8080/; echo "RESULT plain $?"
bia run -- curl -6 -sS -m 5 -o /dev/null -w 'remote %{remote_ip}\\n' http://v4only.test:8080/; echo "RESULT bia $?"
cat "$LAB_DIR/http.log"`,
      FOUR,
    );
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('remote ::ffff:198.51.100.2');
    // The peer logged exactly one request, from the host's IPv4 address.
    expect(r.stdout).toMatch(/^198\.51\.100\.1 - - .*"GET \/ HTTP\/1\.1" 200/m);
  });

  it('socat TCP6: reaches an A-only name; without bia it cannot', async () => {
    const r = await lab(
      `peer_serve_tcp4 8080
socat -T 3 - TCP6:v4only.test:8080 </dev/null; echo "RESULT plain $?"
bia run -- socat -T 3 - TCP6:v4only.test:8080 </dev/null; echo "RESULT bia $?"`,
      FOUR,
    );
    expect(r.stderr).toMatch(/getaddrinfo.*v4only\.test/);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('hello from the IPv4-only peer, you are 198.51.100.1');
  });

  it('python3 AF_INET6 with IPV6_V6ONLY=1 connects, and still reads back the option it set', async () => {
    const r = await lab(
      `peer_serve_tcp4 8080
${PY_V6ONLY}
echo "RESULT plain $?"
bia run -- ${PY_V6ONLY}
echo "RESULT bia $?"`,
      FOUR,
    );
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('resolved ::ffff:198.51.100.2');
    expect(r.stdout).toContain('v6only 1');
    expect(r.stdout).toContain('dup v6only 1');
    expect(r.stdout).toContain('peername ::ffff:198.51.100.2');
    expect(r.stdout).toContain('greeting hello from the IPv4-only peer, you are 198.51.100.1');
  });

  it('getent: getaddrinfo(AF_INET6, AI_ADDRCONFIG) and gethostbyname2(AF_INET6) answer synthesized addresses', async () => {
    const r = await lab(
      `getent ahostsv6 v4only.test; echo "RESULT plain_ahostsv6 $?"
bia run -- getent ahostsv6 v4only.test; echo "RESULT ahostsv6 $?"
getent hosts v4only.test | sed 's/^/plain /'
bia run -- getent hosts v4only.test; echo "RESULT hosts $?"
bia run -- getent hosts nowhere.test; echo "RESULT nowhere $?"`,
      FOUR,
    );
    // Without bia, AI_ADDRCONFIG on a host without IPv6 finds nothing.
    expect(r.rc('plain_ahostsv6')).toBe(2);
    expect(r.rc('ahostsv6'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^::ffff:198\.51\.100\.2 +STREAM v4only\.test$/m);
    // getent hosts asks gethostbyname2(AF_INET6) first; without bia that
    // fails and it falls back to AF_INET.
    expect(r.stdout).toMatch(/^plain 198\.51\.100\.2 +v4only\.test$/m);
    expect(r.rc('hosts'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^::ffff:198\.51\.100\.2 +v4only\.test$/m);
    expect(r.rc('nowhere')).toBe(2);
  });

  it('nc.openbsd -6 reaches an A-only name over TCP and UDP; without bia it cannot', async () => {
    const r = await lab(
      `peer_serve_tcp4 8080
peer socat UDP4-RECVFROM:9000,bind=198.51.100.2,fork SYSTEM:'read line; echo "echo $line from $SOCAT_PEERADDR"' &
lab_wait "the peer's UDP echo" peer_listening_udp 9000
nc.openbsd -6 -w 3 v4only.test 8080 </dev/null; echo "RESULT plain $?"
bia run -- nc.openbsd -6 -w 3 v4only.test 8080 </dev/null; echo "RESULT tcp $?"
echo ping | bia run -- nc.openbsd -6 -u -w 2 v4only.test 9000; echo "RESULT udp $?"`,
      FOUR,
    );
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('tcp'), r.stderr).toBe(0);
    expect(r.stdout).toContain('hello from the IPv4-only peer, you are 198.51.100.1');
    expect(r.rc('udp'), r.stderr).toBe(0);
    expect(r.stdout).toContain('echo ping from 198.51.100.1');
  });

  it('a dual-stack name answers its AAAA, and a connect to it goes over IPv4 to the paired A record', async () => {
    const r = await lab(
      `peer_serve_tcp4 8080
bia run --trace -- nc.openbsd -6 -w 3 dual4.test 8080 </dev/null; echo "RESULT nc $?"
bia run -- python3 -c '
import socket
ai = socket.getaddrinfo("dual4.test", 8080, socket.AF_INET6, socket.SOCK_STREAM)
s = socket.create_connection(ai[0][4][:2], timeout=3)
print("resolved", ai[0][4][0], "peername", s.getpeername()[0], "got", s.recv(100).decode().strip())
'; echo "RESULT py $?"`,
      FOUR,
    );
    expect(r.rc('nc'), r.stderr).toBe(0);
    expect(r.stderr).toContain('connect [2001:db8:9::2]:8080 -> [::ffff:198.51.100.2]:8080');
    expect(r.rc('py'), r.stderr).toBe(0);
    // The program sees only the AAAA address it resolved; the peer an IPv4 client.
    expect(r.stdout).toContain('resolved 2001:db8:9::2 peername 2001:db8:9::2 got hello from the IPv4-only peer, you are 198.51.100.1');
  });

  it('getaddrinfo(AF_INET6) with AI_V4MAPPED answers ::ffff:a.b.c.d whatever the format; with AI_ALL the A records follow the AAAA', async () => {
    const py = `python3 -c '
import socket, sys
for host in ("v4only.test", "dual4.test"):
    for name, flags in (("none", 0), ("v4mapped", socket.AI_V4MAPPED), ("all", socket.AI_V4MAPPED | socket.AI_ALL), ("allonly", socket.AI_ALL)):
        ai = socket.getaddrinfo(host, 80, socket.AF_INET6, socket.SOCK_STREAM, 0, flags)
        print(sys.argv[1], host, name, ",".join(a[4][0] for a in ai))
'`;
    const r = await lab(
      `bia run -- ${py} mapped; echo "RESULT mapped $?"
bia stop >/dev/null
bia run --synth prefix -- ${py} prefix; echo "RESULT prefix $?"`,
      FOUR,
    );
    expect(r.rc('mapped'), r.stderr).toBe(0);
    expect(r.rc('prefix'), r.stderr).toBe(0);
    for (const f of ['mapped', 'prefix']) {
      // An A-only name: synthesized in the helper's format, but v4-mapped when the program asks for that.
      expect(r.stdout).toContain(`${f} v4only.test none ${f === 'mapped' ? '::ffff:198.51.100.2' : '64:ff9b::c633:6402'}\n`);
      expect(r.stdout).toContain(`${f} v4only.test allonly ${f === 'mapped' ? '::ffff:198.51.100.2' : '64:ff9b::c633:6402'}\n`);
      expect(r.stdout).toContain(`${f} v4only.test v4mapped ::ffff:198.51.100.2\n`);
      expect(r.stdout).toContain(`${f} v4only.test all ::ffff:198.51.100.2\n`);
      // A dual-stack name: its AAAA, with AI_ALL followed by its A record, v4-mapped.
      expect(r.stdout).toContain(`${f} dual4.test none 2001:db8:9::2\n`);
      expect(r.stdout).toContain(`${f} dual4.test v4mapped 2001:db8:9::2\n`);
      expect(r.stdout).toContain(`${f} dual4.test all 2001:db8:9::2,::ffff:198.51.100.2\n`);
    }
  });
});
