// End to end: IPv6-only programs on a host whose kernel has IPv6 disabled,
// where socket(AF_INET6) fails with EAFNOSUPPORT (test/c/no_ipv6.c makes
// it so with a seccomp filter, for the command it runs). bia gives the
// program an AF_INET socket in its place, and the program still sees an
// AF_INET6 socket: SO_DOMAIN, IPV6_V6ONLY as it set it, and IPv6 addresses
// (synthesized) from getpeername, getsockname and accept.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const FOUR = { family: 4 as const };
const root = new URL('../..', import.meta.url).pathname;

const PY_CLIENT = String.raw`import socket
ai = socket.getaddrinfo("v4only.test", 8080, socket.AF_INET6, socket.SOCK_STREAM)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.settimeout(3)
s.connect(ai[0][4])
print("domain", s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN), "v6only", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
print("resolved", ai[0][4][0], "peername", s.getpeername()[0], "sockname", s.getsockname()[0])
print("greeting", s.recv(200).decode().strip())`;

const PY_SERVER = String.raw`import socket
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
t.bind(("::", 7000))
t.listen(1)
print("listening", t.getsockname()[0], flush=True)
t.settimeout(8)
c, peer = t.accept()
print("accepted", peer[0], "peername", c.getpeername()[0], flush=True)
c.sendall(("hello " + peer[0] + "\n").encode())`;

describe('IPv6-only programs on a kernel without IPv6', skipWhen(labMissing), () => {
  let noIpv6 = '';
  beforeAll(() => {
    noIpv6 = join(mkdtempSync(join(tmpdir(), 'bia-noipv6-')), 'no_ipv6');
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', join(root, 'test/c/no_ipv6.c'), '-o', noIpv6]);
  });

  it.each([
    ['mapped (default)', '', '::ffff:198.51.100.2', '::ffff:198.51.100.1'],
    ['prefix 64:ff9b::/96', '--synth prefix', '64:ff9b::c633:6402', '64:ff9b::c633:6401'],
  ])('clients (python with IPV6_V6ONLY, curl -6, socat TCP6:) and an IPv6-only server work over an AF_INET stand-in, %s', async (_name, args, peer, self) => {
    const r = await lab(
      `peer_serve_tcp4 8080
peer python3 -m http.server 8081 --bind 198.51.100.2 >/dev/null 2>&1 &
lab_wait "the peer's web server" peer_listening 8081
cat >"$LAB_DIR/client.py" <<'PY'
${PY_CLIENT}
PY
cat >"$LAB_DIR/server.py" <<'PY'
${PY_SERVER}
PY
${noIpv6} python3 -c 'import socket; socket.socket(socket.AF_INET6)' 2>&1 | tail -1
bia run --trace ${args} -- ${noIpv6} python3 "$LAB_DIR/client.py"; echo "RESULT py $?"
bia run ${args} -- ${noIpv6} curl -6 -sS -m 5 -o /dev/null -w 'remote %{remote_ip}\\n' http://v4only.test:8081/; echo "RESULT curl $?"
bia run ${args} -- ${noIpv6} socat -T 3 - TCP6:v4only.test:8080 </dev/null; echo "RESULT socat $?"
: >"$LAB_DIR/server.out"
bia run ${args} -- ${noIpv6} python3 "$LAB_DIR/server.py" >"$LAB_DIR/server.out" 2>&1 &
SERVER=$!
lab_wait "the IPv6-only server" grep -q listening "$LAB_DIR/server.out"
peer socat -T 3 - TCP4:198.51.100.1:7000 </dev/null; echo "RESULT client $?"
wait $SERVER; echo "RESULT server $?"
cat "$LAB_DIR/server.out"`,
      FOUR,
    );
    // The filter works: without bia, no AF_INET6 socket at all.
    expect(r.stdout).toContain('OSError: [Errno 97] Address family not supported by protocol');
    expect(r.rc('py'), r.stderr).toBe(0);
    expect(r.stderr).toMatch(/socket: the kernel has no IPv6; fd \d+ is an AF_INET socket standing in for AF_INET6/);
    expect(r.stdout).toContain('domain 10 v6only 1');
    expect(r.stdout).toContain(`resolved ${peer} peername ${peer} sockname ${self}`);
    expect(r.stdout).toContain('greeting hello from the IPv4-only peer, you are 198.51.100.1');
    expect(r.rc('curl'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`remote ${peer}\n`);
    expect(r.rc('socat'), r.stderr).toBe(0);
    expect(r.rc('client'), r.stderr).toBe(0);
    expect(r.rc('server'), r.stdout).toBe(0);
    expect(r.stdout).toContain('listening ::');
    expect(r.stdout).toContain(`accepted ${peer} peername ${peer}`);
    expect(r.stdout).toContain(`hello ${peer}\n`);
  });
  it('a stand-in stays an AF_INET6 socket to duplicates, a fork child and an exec child', async () => {
    const r = await lab(
      `peer_serve_tcp4 8080
cat >"$LAB_DIR/dups.py" <<'PY'
import os, socket, subprocess, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.settimeout(3)
s.connect(("v4only.test", 8080))
child = """import socket, sys
t = socket.socket(fileno=int(sys.argv[1]))
print(sys.argv[2], t.family == socket.AF_INET6, t.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), t.getpeername()[0], t.getsockname()[0], flush=True)"""
os.dup2(s.fileno(), 50)
subprocess.run([sys.executable, "-c", child, "50", "dup2"], pass_fds=[50], check=True)
pid = os.fork()
if pid == 0:
    exec(child.replace("int(sys.argv[1])", str(os.dup(s.fileno()))).replace("sys.argv[2]", "'fork'"))
    os._exit(0)
os.waitpid(pid, 0)
subprocess.run([sys.executable, "-c", child, str(s.fileno()), "exec"], pass_fds=[s.fileno()], check=True)
PY
bia run --synth prefix -- ${noIpv6} python3 "$LAB_DIR/dups.py"; echo "RESULT dups $?"`,
      FOUR,
    );
    expect(r.rc('dups'), r.stderr).toBe(0);
    for (const what of ['dup2', 'fork', 'exec'])
      expect(r.stdout).toContain(`${what} True 1 64:ff9b::c633:6402 64:ff9b::c633:6401\n`);
  });
  it('IPv6 options and control messages work on a stand-in UDP socket', async () => {
    const r = await lab(
      `peer socat UDP4-RECVFROM:9000,bind=198.51.100.2,fork SYSTEM:'cat' &
lab_wait "the peer's UDP echo" peer_listening_udp 9000
cat >"$LAB_DIR/opts.py" <<'PY'
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
IPV6_RECVERR = 25  # not in python's socket module
for opt in (socket.IPV6_RECVPKTINFO, socket.IPV6_RECVHOPLIMIT, socket.IPV6_RECVTCLASS, IPV6_RECVERR):
    s.setsockopt(socket.IPPROTO_IPV6, opt, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 33)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, -1)
try:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 256)
except OSError as e:
    print("tclass 256 errno", e.errno)
print("tclass", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS))
print("hops", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS),
      "mcast", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS),
      "recvpktinfo", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO))
s.settimeout(3)
s.sendto(b"one", ("v4only.test", 9000))
data, cmsgs, flags, src = s.recvmsg(200, 256)
for level, kind, value in sorted(cmsgs):
    if (level, kind) == (socket.IPPROTO_IPV6, socket.IPV6_PKTINFO):
        print("pktinfo", socket.inet_ntop(socket.AF_INET6, value[:16]))
    elif level == socket.IPPROTO_IPV6:
        print("ipv6 cmsg", {socket.IPV6_HOPLIMIT: "hoplimit", socket.IPV6_TCLASS: "tclass"}[kind], len(value))
    else:
        print("other cmsg", level, kind)
print("from", src[0], "flags", flags)
s.sendto(b"two", ("v4only.test", 9000))
data, cmsgs, flags, src = s.recvmsg(200, socket.CMSG_SPACE(20))
print("small buffer", [(l, k) for l, k, _ in cmsgs] == [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO)], "ctrunc", bool(flags & socket.MSG_CTRUNC))
PY
bia run --synth prefix -- ${noIpv6} python3 "$LAB_DIR/opts.py"; echo "RESULT py $?"`,
      FOUR,
    );
    expect(r.rc('py'), r.stderr).toBe(0);
    expect(r.stdout).toContain('hops 33 mcast 1 recvpktinfo 1\n');
    expect(r.stdout).toContain('tclass 256 errno 22\ntclass 0\n'); // as IPv6: -1 is the default, 256 EINVAL
    expect(r.stdout).toContain('pktinfo 64:ff9b::c633:6401\n');
    expect(r.stdout).toContain('ipv6 cmsg hoplimit 4\n');
    expect(r.stdout).toContain('ipv6 cmsg tclass 4\n');
    expect(r.stdout).not.toContain('other cmsg');
    expect(r.stdout).toContain('from 64:ff9b::c633:6402 flags 0\n');
    expect(r.stdout).toContain('small buffer True ctrunc True\n');
  });
  it('recvmmsg on a stand-in gives IPv6 sources and IPV6_PKTINFO', async () => {
    const demo = join(mkdtempSync(join(tmpdir(), 'bia-recvmmsg-')), 'recvmmsg_demo');
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', join(root, 'test/c/recvmmsg_demo.c'), '-o', demo]);
    const r = await lab(
      `peer socat UDP4-RECVFROM:9000,bind=198.51.100.2,fork SYSTEM:cat &
lab_wait "the peer's UDP echo" peer_listening_udp 9000
bia run --synth prefix -- ${noIpv6} ${demo} v4only.test 9000; echo "RESULT demo $?"`,
      FOUR,
    );
    expect(r.rc('demo'), r.stderr).toBe(0);
    const line = 'message from 64:ff9b::c633:6402 (family 10) pktinfo 64:ff9b::c633:6401\n';
    expect(r.stdout.split(line)).toHaveLength(3);
  });
});
