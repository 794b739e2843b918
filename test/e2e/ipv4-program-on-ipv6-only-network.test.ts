// End to end: real, unmodified IPv4-only programs on an IPv6-only network
// (the lab in src/lab/lab.sh) reach IPv6-only and dual-stack peers by name
// through `bia run`. Every case also runs its control: the same command
// without bia fails.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const PY_CONNECT = (name: string, port: number): string => String.raw`python3 - <<'PY'
import socket
addr = socket.gethostbyname("${name}")
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(3)
s.connect((addr, ${port}))
print("resolved", addr)
print("peername", s.getpeername()[0], s.getpeername()[1])
print("sockname-family", s.getsockname().__class__.__name__, len(s.getsockname()))
print("sockname", s.getsockname()[0])
print("greeting", s.recv(200).decode().strip())
PY`;

describe('an IPv4-only program on an IPv6-only network', skipWhen(labMissing), () => {
  it('nc.traditional reaches an AAAA-only name; without bia it cannot', async () => {
    const r = await lab(`peer_serve_tcp 8080
nc.traditional -w 2 v6only.test 8080; echo "RESULT plain $?"
bia run -- nc.traditional -w 2 v6only.test 8080; echo "RESULT bia $?"`);
    expect(r.rc('plain'), r.stderr).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    // The peer saw a native IPv6 client: the host's own address.
    expect(r.stdout).toMatch(/hello from the IPv6-only peer, you are \[2001:0?db8:0{0,3}1:.*:0{0,3}1\]/);
  });

  it('nc.traditional reaches a dual-stack name whose A address is unreachable here', async () => {
    const r = await lab(`peer_serve_tcp 8080
nc.traditional -w 2 dual.test 8080; echo "RESULT plain $?"
bia run -- nc.traditional -w 2 dual.test 8080; echo "RESULT bia $?"`);
    expect(r.stderr).toMatch(/192\.0\.2\.10.*Network is unreachable/);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('hello from the IPv6-only peer');
  });

  it('python3 AF_INET + gethostbyname: an AAAA-only name gets a pool address that connects, and sees only IPv4 addresses', async () => {
    const r = await lab(`peer_serve_tcp 8080
${PY_CONNECT('v6only.test', 8080)}
echo "RESULT plain $?"
bia run -- ${PY_CONNECT('v6only.test', 8080)}
echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.stderr).toMatch(/socket.gaierror/);
    expect(r.rc('bia'), r.stderr).toBe(0);
    const resolved = r.stdout.match(/^resolved (198\.1[89]\.\d+\.\d+)$/m)?.[1];
    expect(resolved, r.stdout).toBeDefined();
    expect(r.stdout).toContain(`peername ${resolved} 8080`);
    expect(r.stdout).toMatch(/^sockname-family tuple 2$/m);
    // The host's own address: its fixed stand-in, not a pool address.
    expect(r.stdout).toMatch(/^sockname 192\.0\.0\.2$/m);
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
  });

  it('python3: options and non-blocking mode set before the connect survive the swap, for a socket made in the process and one inherited across exec', async () => {
    // setblocking(False) is ioctl(FIONBIO) in CPython. The parent's first
    // socket has a history (the swap copies what setsockopt set); the exec'd
    // child's has none (the swap compares every option with the defaults);
    // the one made after a translation is dual-stack from birth (no swap:
    // the options went straight to the AF_INET6 socket).
    const r = await lab(String.raw`peer_serve_tcp 8080
cat >"$LAB_DIR/opts.py" <<'PY'
import os, select, socket, sys
def prepare():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 77)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.setblocking(False)
    return s, s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
def connect_and_show(s, rcvbuf, label):
    rc = s.connect_ex((socket.gethostbyname("v6only.test"), 8080))
    select.select([], [s], [], 3)
    print(label, "connect", rc in (0, 115), s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    print(label, "options", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
          s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
          s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
          s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR),
          s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS),
          s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) == rcvbuf,
          "blocking" if os.get_blocking(s.fileno()) else "non-blocking")
if len(sys.argv) > 1:
    fd, rcvbuf = int(sys.argv[1]), int(sys.argv[2])
    connect_and_show(socket.socket(fileno=fd), rcvbuf, "inherited")
else:
    # Both made before the process translated anything: plain AF_INET
    # sockets, swapped by their connect.
    s, rcvbuf = prepare()
    kept, kept_rcvbuf = prepare()
    connect_and_show(s, rcvbuf, "made-here")
    # Made after a translation: dual-stack from birth, nothing to swap.
    s, rcvbuf = prepare()
    connect_and_show(s, rcvbuf, "born-dual")
    os.set_inheritable(kept.fileno(), True)
    os.execv(sys.executable, [sys.executable, sys.argv[0], str(kept.fileno()), str(kept_rcvbuf)])
PY
# Without the helper's published table (a shared helper keeps none), a
# process learns that the network is IPv6-only at its first connect: the
# sockets it made before are plain AF_INET ones, swapped then.
bia run -- true
mv "$XDG_RUNTIME_DIR/bia/helper.sock.map" "$LAB_DIR/table"
BIA_LOG=debug bia run -- python3 "$LAB_DIR/opts.py"; echo "RESULT bia $?"`);
    expect(r.rc('bia'), r.stderr).toBe(0);
    for (const label of ['made-here', 'born-dual', 'inherited']) {
      expect(r.stdout, r.stderr).toContain(`${label} connect True 0`);
      // TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE, SO_REUSEADDR, TCLASS from IP_TOS, SO_RCVBUF, O_NONBLOCK
      expect(r.stdout, r.stderr).toContain(`${label} options 1 1 77 1 32 True non-blocking`);
    }
    expect(r.stderr).toMatch(/now an AF_INET6 socket, with the options the program set/);
    expect(r.stderr).toMatch(/now an AF_INET6 socket, with every option that differs from the defaults/);
    expect(r.stderr.match(/now an AF_INET6 socket/g)).toHaveLength(2);
  });

  it('python3 AF_INET + gethostbyname: a dual-stack name answers its real A address, which bia connects over IPv6', async () => {
    const r = await lab(`peer_serve_tcp 8080
${PY_CONNECT('dual.test', 8080)}
echo "RESULT plain $?"
bia run -- ${PY_CONNECT('dual.test', 8080)}
echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('resolved 192.0.2.10');
    expect(r.stdout).toContain('peername 192.0.2.10 8080');
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
  });

  it('gethostbyname returns one pool address per AAAA record, and each reaches its own peer address', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
bia run -- python3 - <<'PY'
import socket
name, aliases, addrs = socket.gethostbyname_ex("multi.test")
print("count", len(addrs))
for a in addrs:
    s = socket.create_connection((a, 8080), timeout=3)
    print("via", a, s.recv(200).decode().strip())
PY
echo "RESULT bia $?"`);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('count 2');
    expect(r.stdout).toMatch(/you are \[2001:0?db8:.*1\]/);
    expect(r.stdout.match(/^via 198\.1[89]\./gm)?.length).toBe(2);
  });

  it('curl -4 fetches a page from an IPv6-only web server', async () => {
    const r = await lab(`peer python3 -m http.server --bind ${'$'}LAB_PEER6 8081 --directory /usr/share/doc/curl >/dev/null 2>&1 &
lab_wait "the web server" peer_listening 8081
curl -4 -sS -m 3 -o /dev/null -w '%{http_code}\\n' http://v6only.test:8081/copyright; echo "RESULT plain $?"
bia run -- curl -4 -sS -m 3 -o /dev/null -w 'code=%{http_code} remote=%{remote_ip}\\n' http://v6only.test:8081/copyright; echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/code=200 remote=198\.1[89]\./);
  });

  it('keeps the kernel semantics: non-blocking connect, refused connections, unreachable IPv4-only names', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
bia run -- python3 - <<'PY'
import errno, select, socket
addr = socket.gethostbyname("v6only.test")
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setblocking(False)
print("nonblocking", errno.errorcode.get(s.connect_ex((addr, 8080)), "0"))
select.select([], [s], [], 3)
print("so_error", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
r = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("refused", errno.errorcode.get(r.connect_ex((addr, 9)), "0"))
v4 = socket.gethostbyname("v4only.test")
u = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("v4only", v4, errno.errorcode.get(u.connect_ex((v4, 8080)), "0"))
try:
    socket.gethostbyname("nosuchname.test")
except socket.gaierror as e:
    print("nxdomain", e.errno == socket.EAI_NONAME)
PY
echo "RESULT bia $?"`);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('nonblocking EINPROGRESS');
    expect(r.stdout).toContain('so_error 0');
    expect(r.stdout).toContain('refused ECONNREFUSED');
    expect(r.stdout).toContain('v4only 192.0.2.20 ENETUNREACH');
    expect(r.stdout).toContain('nxdomain True');
  });

  it('leaves untranslated traffic alone: loopback IPv4 works natively under bia', async () => {
    const r = await lab(String.raw`socat TCP4-LISTEN:7070,bind=127.0.0.1,reuseaddr SYSTEM:'echo "local $SOCAT_PEERADDR"' &
lab_wait "a loopback service" sh -c 'ss -Htln "sport = :7070" | grep -q .'
bia run -- nc.traditional -w 2 127.0.0.1 7070; echo "RESULT bia $?"`);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('local 127.0.0.1');
  });
});
