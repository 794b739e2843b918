// End to end: once a program under bia has translated a connect (or knows
// the network is IPv6-only), its AF_INET TCP and UDP sockets are born as
// dual-stack AF_INET6 ones (preload/core/v4prog/preswap.c), so that its next
// translated connects need no swap. Such a socket must behave exactly as
// the AF_INET socket the program asked for: the same script prints the
// same answers (values and errnos) with and without bia, whatever needs a
// genuine AF_INET socket included; it crosses exec; and it still reaches
// native IPv4 when the network gains IPv4 while it is unconnected.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

// Prints "= <case> <answer>" lines; under bia the first connect (to a pool
// address) makes every later socket of the process born dual-stack.
const SCRIPT = String.raw`cat >"$LAB_DIR/same.py" <<'PY'
import errno, fcntl, os, socket, struct
def e(f):
    try:
        return "ok %r" % (f(),)
    except OSError as x:
        return errno.errorcode.get(x.errno, str(x.errno))
def show(case, answer): print("=", case, answer)
try:
    w = socket.socket(); w.settimeout(3); w.connect((socket.gethostbyname("v6only.test"), 8080))
    print("translated first")
except OSError:
    pass
S = lambda t=socket.SOCK_STREAM: socket.socket(socket.AF_INET, t)
s = S()
show("sockname", s.getsockname())
show("peername", e(s.getpeername))
show("domain/type/protocol", [s.getsockopt(socket.SOL_SOCKET, o) for o in (socket.SO_DOMAIN, socket.SO_TYPE, socket.SO_PROTOCOL)])
show("ttl/tos/mtu-discover", [s.getsockopt(socket.IPPROTO_IP, o) for o in (socket.IP_TTL, socket.IP_TOS, 10)])
show("IP_MTU unconnected", e(lambda: s.getsockopt(socket.IPPROTO_IP, 14)))
show("get IPV6_V6ONLY", e(lambda: S().getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY)))
show("set IPV6_TCLASS", e(lambda: S().setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 4)))
show("set IP_TTL -1", e(lambda: S().setsockopt(socket.IPPROTO_IP, socket.IP_TTL, -1)))
show("set IP_TTL 300", e(lambda: S().setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 300)))
show("bind 192.0.2.77", e(lambda: S().bind(("192.0.2.77", 0))))
show("bind 192.0.2.77 udp", e(lambda: S(socket.SOCK_DGRAM).bind(("192.0.2.77", 0))))
fb = S(); fb.setsockopt(socket.IPPROTO_IP, 15, 1)   # IP_FREEBIND
show("bind 192.0.2.77 with IP_FREEBIND", (e(lambda: fb.bind(("192.0.2.77", 0))), fb.getsockname()[0]))
show("bind 255.255.255.255 udp", e(lambda: S(socket.SOCK_DGRAM).bind(("255.255.255.255", 0))))
b = S(); b.bind(("127.0.0.1", 0))
show("bind 127.0.0.1", (b.getsockname()[0], b.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN)))
l = S(); l.bind(("127.0.0.1", 0)); l.listen(); port = l.getsockname()[1]
c = S(); c.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x20); c.connect(("127.0.0.1", port))
show("connect 127.0.0.1", (c.getsockname()[0], c.getpeername() == ("127.0.0.1", port), c.getsockopt(socket.IPPROTO_IP, socket.IP_TOS)))
show("connect 127.0.0.1 closed port", e(lambda: S().connect(("127.0.0.1", 1))))
show("connect 10.1.2.3", e(lambda: S().connect(("10.1.2.3", 80))))
show("connect 224.0.0.1", e(lambda: S().connect(("224.0.0.1", 80))))
u = S(socket.SOCK_DGRAM)
mreq = socket.inet_aton("239.1.2.3") + socket.inet_aton("127.0.0.1")
show("IP_ADD_MEMBERSHIP", e(lambda: u.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)))
m = S(socket.SOCK_DGRAM)
show("IP_MULTICAST_TTL", (e(lambda: m.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 5)), m.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL)))
show("sendto 239.1.2.3", e(lambda: S(socket.SOCK_DGRAM).sendto(b"x", ("239.1.2.3", 9))))
show("sendto 255.255.255.255 without SO_BROADCAST", e(lambda: S(socket.SOCK_DGRAM).sendto(b"x", ("255.255.255.255", 9))))
i = S(socket.SOCK_DGRAM)
show("ioctl SIOCGIFADDR lo", socket.inet_ntoa(fcntl.ioctl(i.fileno(), 0x8915, struct.pack("16s16x", b"lo"))[20:24]))
r = S(socket.SOCK_DGRAM); r.bind(("127.0.0.1", 0)); r.settimeout(2)
t = S(socket.SOCK_DGRAM); t.settimeout(2); t.sendto(b"hi", r.getsockname())
data, src = r.recvfrom(10); r.sendto(b"back", src)
show("udp 127.0.0.1", (data, src[0], t.getsockname()[0], t.recvfrom(10) == (b"back", r.getsockname())))
rx = S(socket.SOCK_DGRAM); rx.bind(("0.0.0.0", 0)); rx.settimeout(2)
for o in (8, 12, 13):   # IP_PKTINFO, IP_RECVTTL, IP_RECVTOS
    rx.setsockopt(socket.IPPROTO_IP, o, 1)
tx = S(socket.SOCK_DGRAM); tx.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x20)
tx.sendto(b"c", ("127.0.0.1", rx.getsockname()[1]))
data, anc, flags, src = rx.recvmsg(10, 512)
show("recvmsg from 127.0.0.1", (data, src[0], flags, sorted((l, k, v.hex()) for l, k, v in anc), rx.getsockname()[0]))
n = S(); n.listen()
show("listen unbound", n.getsockname()[0])
PY`;

describe('sockets born dual-stack (no swap at connect)', skipWhen(labMissing), () => {
  it('python3: the same answers as without bia, for every use that needs a genuine AF_INET socket', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
${SCRIPT}
python3 "$LAB_DIR/same.py" >"$LAB_DIR/plain.out"; echo "RESULT plain $?"
BIA_LOG=debug bia run -- python3 "$LAB_DIR/same.py" >"$LAB_DIR/bia.out"; echo "RESULT bia $?"
cat "$LAB_DIR/bia.out"
diff "$LAB_DIR/plain.out" <(grep -v '^translated first$' "$LAB_DIR/bia.out"); echo "RESULT diff $?"`);
    expect(r.rc('plain'), r.stderr).toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('translated first');
    expect(r.rc('diff'), r.stdout).toBe(0);
    // The cases that needed it made the socket AF_INET again first...
    for (const why of ['a bind to an IPv4 address', 'IPv4 multicast', 'an IPv4 ioctl', 'a socket option with no dual-stack equivalent'])
      expect(r.stderr).toContain(`made AF_INET again for ${why}`);
    // ... and nothing was swapped to IPv6: the helper's published table told
    // the process's first socket that the network is IPv6-only.
    expect(r.stderr.match(/now an AF_INET6 socket/g)).toBeNull();
  });

  it('python3: connects to a pool address without a swap, and an unconnected one crosses exec', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
cat >"$LAB_DIR/exec.py" <<'PY'
import os, socket, sys
pool = socket.gethostbyname("v6only.test")
if len(sys.argv) > 1:
    s = socket.socket(fileno=int(sys.argv[1]))
    print("child sockname", s.getsockname(), s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_INET)
    s.settimeout(3); s.connect((pool, 8080))
    print("child connected", s.getpeername() == (pool, 8080), s.recv(100).decode().strip())
    sys.exit(0)
for i in range(3):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(3)
    s.connect((pool, 8080))
    print("connect", i, s.getpeername() == (pool, 8080), s.recv(100).decode().strip()); s.close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
os.set_inheritable(s.fileno(), True)
os.execv(sys.executable, [sys.executable, sys.argv[0], str(s.fileno())])
PY
BIA_LOG=debug bia run -- python3 "$LAB_DIR/exec.py"; echo "RESULT bia $?"`);
    expect(r.rc('bia'), r.stderr).toBe(0);
    for (const i of [0, 1, 2]) expect(r.stdout).toContain(`connect ${i} True hello from the IPv6-only peer`);
    expect(r.stdout).toContain("child sockname ('0.0.0.0', 0) True");
    expect(r.stdout).toContain('child connected True hello from the IPv6-only peer');
    // No connect swapped, not even the first (the published table told the
    // process the network before its first socket), nor the child's.
    expect(r.stderr.match(/now an AF_INET6 socket/g)).toBeNull();
  });

  // A socket born dual-stack skips setsockopt(IPV6_V6ONLY, 0) where the
  // namespace's default (net.ipv6.bindv6only) is already 0
  // (v4prog/dualstack.c): where it is 1, and in a namespace the thread
  // entered after it read the default, the option must still be set.
  it('python3: born dual-stack where net.ipv6.bindv6only is 1, and after unshare() into such a namespace', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
cat >"$LAB_DIR/v6only.py" <<'PY'
import ctypes, os, socket
def loop(tag):
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
    c = socket.socket(); c.settimeout(3)
    try:
        c.connect(l.getsockname()); print(tag, "connected", c.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
    except OSError as e:
        print(tag, "failed", e)
w = socket.socket(); w.settimeout(3); w.connect((socket.gethostbyname("v6only.test"), 8080)); w.close()
loop("host")
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x40000000) != 0:   # CLONE_NEWNET, through bia's hook
    raise OSError(ctypes.get_errno(), "unshare")
open("/proc/sys/net/ipv6/bindv6only", "w").write("1")
os.system("ip link set lo up")
loop("unshared")
PY
sysctl -qw net.ipv6.bindv6only=0
BIA_LOG=debug bia run -- python3 "$LAB_DIR/v6only.py"; echo "RESULT zero $?"
sysctl -qw net.ipv6.bindv6only=1
bia run -- python3 "$LAB_DIR/v6only.py"; echo "RESULT one $?"`);
    expect(r.rc('zero'), r.stderr).toBe(0);
    expect(r.rc('one'), r.stderr).toBe(0);
    // "connected 0" twice per run: the socket answers IPV6_V6ONLY as the
    // AF_INET socket it stands for (0), and it reached 127.0.0.1 through
    // ::ffff:127.0.0.1, which only a dual-stack socket can.
    expect(r.stdout.match(/^host connected 0$/gm), r.stdout).toHaveLength(2);
    expect(r.stdout.match(/^unshared connected 0$/gm), r.stdout).toHaveLength(2);
    expect(r.stderr).not.toContain('now an AF_INET6 socket');
  });

  it('roaming: a socket born on the IPv6-only network reaches native IPv4 once the network has it', async () => {
    const r = await lab(String.raw`peer socat TCP4-LISTEN:8091,reuseaddr,fork SYSTEM:'echo "you are $SOCAT_PEERADDR"' &
peer_serve_tcp 8080
lab_wait "the IPv4 service" peer_listening 8091
(LAB_DIR=$LAB_DIR bia run -- python3 - <<'PY'
import os, socket, time
w = socket.socket(); w.settimeout(3); w.connect((socket.gethostbyname("v6only.test"), 8080)); w.close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.settimeout(3)
open(os.environ["LAB_DIR"] + "/ready", "w").close()
while not os.path.exists(os.environ["LAB_DIR"] + "/flipped"):
    time.sleep(0.05)
s.connect(("192.0.2.10", 8091))
print("after", s.getpeername(), s.getsockname()[0], s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN) == socket.AF_INET, s.recv(100).decode().strip())
PY
echo "RESULT program $?") &
lab_wait "the program's socket" test -e "$LAB_DIR/ready"
lab_add_ipv4
touch "$LAB_DIR/flipped"
wait $!`);
    expect(r.rc('program'), r.stderr).toBe(0);
    expect(r.stdout).toContain("after ('192.0.2.10', 8091) 192.0.2.1 True you are 192.0.2.1");
  });
});
