// End to end, IPv4-only lab: IPv6-only programs sending UDP to IPv4-only
// peers (socat UDP6:, python with IPV6_V6ONLY=1: sendto/recvfrom and
// sendmsg/recvmsg), and IPv6-only servers (IPV6_V6ONLY=1 on [::], draft
// 5.2) accepting IPv4 clients from the peer and answering them. Each runs
// with the default format (::ffff:a.b.c.d) and with --synth prefix
// (64:ff9b::/96), where the program must see only 64:ff9b:: addresses.
// Control messages (IPV6_PKTINFO) and recvmmsg (test/c/recvmmsg_demo.c)
// show the synthesized form too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const FOUR = { family: 4 as const };
const root = new URL('../..', import.meta.url).pathname;

// The peer's UDP echo names the source it saw.
const PEER_ECHO = `peer socat UDP4-RECVFROM:9000,bind=198.51.100.2,fork SYSTEM:'read line; echo "echo $line from $SOCAT_PEERADDR"' &
lab_wait "the peer's UDP echo" peer_listening_udp 9000`;

const PY_UDP = String.raw`import socket
ai = socket.getaddrinfo("v4only.test", 9000, socket.AF_INET6, socket.SOCK_DGRAM)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.settimeout(3)
s.sendto(b"one\n", ai[0][4])
data, src = s.recvfrom(200)
print("recvfrom", data.decode().strip(), "from", src[0], src[1])
s.sendmsg([b"two\n"], [], 0, ai[0][4])
data, _, _, src = s.recvmsg(200)
print("recvmsg", data.decode().strip(), "from", src[0], src[1])
print("v6only", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))`;

// An IPv6-only server: TCP and UDP on [::] with IPV6_V6ONLY=1.
const PY_SERVER = String.raw`import socket
t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
t.bind(("::", 7000))
t.listen(1)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
u.bind(("::", 7001))
print("listening v6only", t.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), flush=True)
t.settimeout(8); u.settimeout(8)
c, peer = t.accept()
print("accepted", peer[0], "peername", c.getpeername()[0], "sockname", c.getsockname()[0], flush=True)
c.sendall(("hello " + peer[0] + "\n").encode())
c.close()
data, src = u.recvfrom(100)
print("datagram", data.decode().strip(), "from", src[0], flush=True)
u.sendto(("hello " + src[0] + "\n").encode(), src)`;

const FORMATS = [
  ['mapped (default)', '', '::ffff:198.51.100.2', '::ffff:198.51.100.1'],
  ['prefix 64:ff9b::/96', '--synth prefix', '64:ff9b::c633:6402', '64:ff9b::c633:6401'],
] as const;

describe('IPv6-only programs on an IPv4-only network: UDP and servers', skipWhen(labMissing), () => {
  it.each(FORMATS)('UDP clients reach an A-only name, %s', async (_name, args, peer) => {
    const r = await lab(
      `${PEER_ECHO}
cat >"$LAB_DIR/udp.py" <<'PY'
${PY_UDP}
PY
echo ping | socat -T 2 - UDP6:v4only.test:9000; echo "RESULT plain $?"
echo ping | bia run ${args} -- socat -T 2 - UDP6:v4only.test:9000; echo "RESULT socat $?"
bia run ${args} -- python3 "$LAB_DIR/udp.py"; echo "RESULT py $?"`,
      FOUR,
    );
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('socat'), r.stderr).toBe(0);
    expect(r.stdout).toContain('echo ping from 198.51.100.1');
    expect(r.rc('py'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`recvfrom echo one from 198.51.100.1 from ${peer} 9000`);
    expect(r.stdout).toContain(`recvmsg echo two from 198.51.100.1 from ${peer} 9000`);
    expect(r.stdout).toContain('v6only 1');
  });

  it.each(FORMATS)('an IPV6_V6ONLY server on [::] serves IPv4 clients from the peer, %s', async (_name, args, client, self) => {
    const r = await lab(
      `cat >"$LAB_DIR/server.py" <<'PY'
${PY_SERVER}
PY
python3 "$LAB_DIR/server.py" >/dev/null 2>&1 &
PLAIN=$!
sleep 0.5
peer socat -T 2 - TCP4:198.51.100.1:7000 </dev/null; echo "RESULT plain $?"
kill $PLAIN
: >"$LAB_DIR/server.out"
bia run ${args} -- python3 "$LAB_DIR/server.py" >"$LAB_DIR/server.out" 2>&1 &
SERVER=$!
lab_wait "the IPv6-only server" grep -q listening "$LAB_DIR/server.out"
peer socat -T 3 - TCP4:198.51.100.1:7000 </dev/null; echo "RESULT tcp $?"
echo ping | peer socat -T 3 - UDP4:198.51.100.1:7001; echo "RESULT udp $?"
wait $SERVER; echo "RESULT server $?"
cat "$LAB_DIR/server.out"`,
      FOUR,
    );
    expect(r.rc('plain')).not.toBe(0); // the IPv6-only server cannot be reached without bia
    expect(r.rc('server'), r.stdout).toBe(0);
    expect(r.rc('tcp'), r.stderr).toBe(0);
    expect(r.rc('udp'), r.stderr).toBe(0);
    expect(r.stdout).toContain('listening v6only 1');
    expect(r.stdout).toContain(`accepted ${client} peername ${client} sockname ${self}`);
    expect(r.stdout).toContain(`datagram ping from ${client}`);
    // The replies reached the IPv4 client: it prints the greeting.
    expect(r.stdout.match(new RegExp(`^hello ${client.replace(/\./g, '\\.')}$`, 'gm'))).toHaveLength(2);
  });
  // The socket's record has no fixed size: a descriptor far past 4095 (a
  // server with thousands of connections) keeps its mark and its lifted
  // IPV6_V6ONLY like any other.
  it('a socket on descriptor 5000 keeps its mark: the synthesized peer and IPV6_V6ONLY as set', async () => {
    const r = await lab(
      `${PEER_ECHO}
cat >"$LAB_DIR/high.py" <<'PY'
import os, resource, socket
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (6000, hard))
first = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
first.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
os.dup2(first.fileno(), 5000)
first.close()
s = socket.socket(fileno=5000)
s.settimeout(3)
s.connect(socket.getaddrinfo("v4only.test", 9000, socket.AF_INET6, socket.SOCK_DGRAM)[0][4])
s.send(b"high\\n")
print("reply", s.recv(200).decode().strip(), "peer", s.getpeername()[0], "fd", s.fileno())
print("v6only", s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
copy = os.dup(5000)
print("copy v6only", socket.socket(fileno=copy).getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
PY
bia run --synth prefix -- python3 "$LAB_DIR/high.py"; echo "RESULT py $?"`,
      FOUR,
    );
    expect(r.rc('py'), r.stderr).toBe(0);
    expect(r.stdout).toContain('reply echo high from 198.51.100.1 peer 64:ff9b::c633:6402 fd 5000\n');
    expect(r.stdout).toContain('v6only 1\n');
    expect(r.stdout).toContain('copy v6only 1\n');
  });
  it('IPV6_PKTINFO from recvmsg shows the local address in the synthesized form too', async () => {
    const r = await lab(
      `${PEER_ECHO}
cat >"$LAB_DIR/pktinfo.py" <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
s.settimeout(3)
s.sendto(b"one", ("v4only.test", 9000))
data, cmsgs, _, src = s.recvmsg(200, socket.CMSG_SPACE(20))
for level, kind, value in cmsgs:
    if (level, kind) == (socket.IPPROTO_IPV6, socket.IPV6_PKTINFO):
        print("pktinfo", socket.inet_ntop(socket.AF_INET6, value[:16]), "from", src[0])
PY
bia run --synth prefix -- python3 "$LAB_DIR/pktinfo.py"; echo "RESULT py $?"`,
      FOUR,
    );
    expect(r.rc('py'), r.stderr).toBe(0);
    expect(r.stdout).toContain('pktinfo 64:ff9b::c633:6401 from 64:ff9b::c633:6402\n');
  });
  it('recvmmsg shows sources and IPV6_PKTINFO in the synthesized form', async () => {
    const demo = join(mkdtempSync(join(tmpdir(), 'bia-recvmmsg-')), 'recvmmsg_demo');
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Werror', join(root, 'test/c/recvmmsg_demo.c'), '-o', demo]);
    const r = await lab(
      `peer socat UDP4-RECVFROM:9000,bind=198.51.100.2,fork SYSTEM:cat &
lab_wait "the peer's UDP echo" peer_listening_udp 9000
bia run --synth prefix -- ${demo} v4only.test 9000; echo "RESULT demo $?"`,
      FOUR,
    );
    expect(r.rc('demo'), r.stderr).toBe(0);
    const line = 'message from 64:ff9b::c633:6402 (family 10) pktinfo 64:ff9b::c633:6401\n';
    expect(r.stdout.split(line)).toHaveLength(3);
  });
});
