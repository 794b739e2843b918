// End to end: each synthesized-address format (--synth, docs/architecture.md
// "Address formats") in the IPv4-only lab. An IPv6-only python client
// (IPV6_V6ONLY=1) and curl -6 resolve an A-only name, connect, and only ever
// see addresses of the chosen format: the peer's from getaddrinfo and
// getpeername, their own from getsockname. The peer sees the host's IPv4
// address, and getnameinfo names the peer as its IPv4 address is named. (The mapped default is covered by
// ipv6-program-on-ipv4-only-network.test.ts.)
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const FOUR = { family: 4 as const };

const PY_CLIENT = String.raw`import socket
ai = socket.getaddrinfo("v4only.test", 8080, socket.AF_INET6, socket.SOCK_STREAM)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.settimeout(3)
s.connect(ai[0][4])
print("resolved", ai[0][4][0])
print("peername", s.getpeername()[0])
print("sockname", s.getsockname()[0])
print("greeting", s.recv(200).decode().strip())
print("name", socket.getnameinfo((ai[0][4][0], 8080), socket.NI_NAMEREQD | socket.NI_NUMERICSERV))`;

function formatRun(args: string): string {
  return `peer_serve_tcp4 8080
peer python3 -m http.server 8081 --bind 198.51.100.2 >/dev/null 2>"$LAB_DIR/http.log" &
lab_wait "the peer's web server" peer_listening 8081
cat >"$LAB_DIR/client.py" <<'PY'
${PY_CLIENT}
PY
bia run --trace ${args} -- python3 "$LAB_DIR/client.py"; echo "RESULT py $?"
bia run ${args} -- curl -6 -sS -m 5 -o /dev/null -w 'remote %{remote_ip}\\n' http://v4only.test:8081/; echo "RESULT curl $?"
cat "$LAB_DIR/http.log"`;
}

describe('synthesized address formats for IPv6-only programs', skipWhen(labMissing), () => {
  it.each([
    ['prefix (RFC 6052 64:ff9b::/96)', '--synth prefix', '64:ff9b::c633:6402', '64:ff9b::c633:6401'],
    ['prefix (a configured /96)', '--synth prefix --synth-prefix 2001:db8:64::/96', '2001:db8:64::c633:6402', '2001:db8:64::c633:6401'],
    ['m46a (prefix | plane 7 | IPv4)', '--synth m46a --synth-prefix 2001:db8:46::/64 --plane-id 7', '2001:db8:46::7:c633:6402', '2001:db8:46::7:c633:6401'],
    ['pool (allocated from fd62:6961::/112)', '--synth pool', 'fd62:6961::1', 'fd62:6961::2'],
  ])('%s', async (_name, args, peer, self) => {
    const r = await lab(formatRun(args), FOUR);
    expect(r.rc('py'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`resolved ${peer}\n`);
    expect(r.stdout).toContain(`peername ${peer}\n`);
    expect(r.stdout).toContain(`sockname ${self}\n`);
    expect(r.stdout).toContain('greeting hello from the IPv4-only peer, you are 198.51.100.1');
    // No name server has the ip6.arpa name of a made-up address: it is
    // named as the IPv4 address it stands for (names/nameinfo.c).
    expect(r.stdout).toContain("name ('v4only.test', '8080')\n");
    // The trace says what was translated: the synthesized address to the mapped one the kernel carries over IPv4.
    expect(r.stderr).toContain(`connect [${peer}]:8080 -> [::ffff:198.51.100.2]:8080`);
    expect(r.rc('curl'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`remote ${peer}\n`);
    expect(r.stdout).toMatch(/^198\.51\.100\.1 - - .*"GET \/ HTTP\/1\.1" 200/m);
  });

  it('a program without BIA_SYNTH (not started by bia run) learns the format from HELLO, even for a literal', async () => {
    const r = await lab(
      `peer_serve_tcp4 8080
bia run --synth prefix -- env -u BIA_SYNTH -u BIA_SYNTH_PREFIX -u BIA_PLANE_ID python3 -c '
import socket
s = socket.create_connection(("64:ff9b::c633:6402", 8080), timeout=3)
print("peername", s.getpeername()[0], "got", s.recv(100).decode().strip())
'; echo "RESULT literal $?"`,
      FOUR,
    );
    expect(r.rc('literal'), r.stderr).toBe(0);
    expect(r.stdout).toContain('peername 64:ff9b::c633:6402 got hello from the IPv4-only peer, you are 198.51.100.1');
  });

  it('a synthesized address the pool never handed out fails as unreachable, and a bad setting stops bia run', async () => {
    const r = await lab(
      `bia run --synth pool -- python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
try:
    s.connect(("fd62:6961::99", 8080))
except OSError as e:
    print("errno", e.errno)
'; echo "RESULT stale $?"
bia run --synth prefix --synth-prefix 64:ff9b::/64 -- true; echo "RESULT bad $?"`,
      FOUR,
    );
    expect(r.rc('stale')).toBe(0);
    expect(r.stdout).toContain('errno 113'); // EHOSTUNREACH
    expect(r.rc('bad')).toBe(78);
    expect(r.stderr).toContain('the prefix format needs a /96 prefix, not /64');
  });
  it('the synthesized form follows the socket to duplicates, a fork child and an exec child', async () => {
    const r = await lab(
      `peer_serve_tcp4 8080
cat >"$LAB_DIR/dups.py" <<'PY'
import fcntl, os, socket, subprocess, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(3)
s.connect(("v4only.test", 8080))
def show(what, fd):
    t = socket.socket(fileno=os.dup(fd))
    print(what, t.getpeername()[0], t.getsockname()[0])
show("dup", os.dup(s.fileno()))
print("socket.dup", s.dup().getpeername()[0])
show("dupfd", fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, 40))
os.dup2(s.fileno(), 50)
show("dup2", 50)
pid = os.fork()
if pid == 0:
    show("fork", s.fileno())
    os._exit(0)
os.waitpid(pid, 0)
child = "import socket, sys; t = socket.socket(fileno=int(sys.argv[1])); print(sys.argv[2], t.getpeername()[0], t.getsockname()[0])"
sys.stdout.flush()
subprocess.run([sys.executable, "-c", child, str(s.fileno()), "exec"], pass_fds=[s.fileno()], check=True)
subprocess.run(["sh", "-c", 'exec python3 -c "$0" "$1" "$2"', child, str(s.fileno()), "shell"], pass_fds=[s.fileno()], check=True)
PY
bia run --synth prefix -- python3 "$LAB_DIR/dups.py"; echo "RESULT dups $?"`,
      FOUR,
    );
    expect(r.rc('dups'), r.stderr).toBe(0);
    const both = '64:ff9b::c633:6402 64:ff9b::c633:6401\n';
    for (const what of ['dup', 'dupfd', 'dup2', 'fork', 'exec', 'shell']) expect(r.stdout).toContain(`${what} ${both}`);
    expect(r.stdout).toContain('socket.dup 64:ff9b::c633:6402\n');
  });
  it('a pool-format address a program resolved still reaches its peer after a helper kill -9', async () => {
    const r = await lab(
      `peer_serve_tcp4 8080
bia run --synth pool -- python3 -c 'import socket; print("resolved", socket.getaddrinfo("v4only.test", 8080, socket.AF_INET6)[0][4][0])'
OLD=$(pgrep -f '[m]ain.js helper')
kill -9 "$OLD"
while kill -0 "$OLD" 2>/dev/null; do sleep 0.05; done
bia run --synth pool -- env -u BIA_SYNTH python3 -c '
import socket
s = socket.create_connection(("fd62:6961::1", 8080), timeout=3)
print("after restart", s.getpeername()[0], s.recv(100).decode().strip())
'; echo "RESULT after $?"
echo "new helper $(pgrep -f '[m]ain.js helper')"`,
      FOUR,
    );
    expect(r.stdout).toContain('resolved fd62:6961::1\n');
    expect(r.stdout).toMatch(/^new helper \d+$/m);
    expect(r.rc('after'), r.stderr).toBe(0);
    expect(r.stdout).toContain('after restart fd62:6961::1 hello from the IPv4-only peer, you are 198.51.100.1');
  });
});
