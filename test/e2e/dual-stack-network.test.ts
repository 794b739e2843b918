// End to end on a dual-stack network (lab_up_dual in src/lab/lab.sh): each
// program uses its own family natively whenever the peer has it, and bia
// translates only for peers of the other family, in both directions. The
// peer's services greet each client with the source address they saw, which
// proves the family on the wire: an IPv6 source for an IPv4-only program
// reaching an IPv6-only service, an IPv4 source for an IPv6-only program
// reaching an IPv4-only service, and the program's own family for dual.test.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const DUAL = { family: 'dual' as const };

// python3 CLIENT.py FAMILY HOST PORT: an AF_INET or AF_INET6 (IPV6_V6ONLY=1) client.
const PY_CLIENT = String.raw`import socket, sys
family = socket.AF_INET if sys.argv[1] == "4" else socket.AF_INET6
host, port = sys.argv[2], int(sys.argv[3])
ai = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
s = socket.socket(family, socket.SOCK_STREAM)
if family == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.settimeout(3)
s.connect(ai[0][4])
print("v%s %s resolved %s peer %s got: %s" % (sys.argv[1], host, ai[0][4][0], s.getpeername()[0], s.recv(200).decode().strip()))`;

const SETUP = `peer_serve_tcp 8080
peer_serve_tcp4 8081
cat >"$LAB_DIR/client.py" <<'PY'
${PY_CLIENT}
PY`;

const V6_SOURCE = 'hello from the IPv6-only peer, you are [2001:0db8:0001:0000:0000:0000:0000:0001]';
const V4_SOURCE = 'hello from the IPv4-only peer, you are 198.51.100.1';

describe('a dual-stack network', skipWhen(labMissing), () => {
  it('an IPv4-only program reaches an IPv6-only service over IPv6, and an IPv6-only program an IPv4-only one over IPv4', async () => {
    const r = await lab(
      `${SETUP}
socat -T 2 - TCP4:v6only.test:8080 </dev/null; echo "RESULT plain4 $?"
socat -T 2 - TCP6:v4only.test:8081 </dev/null; echo "RESULT plain6 $?"
bia run --trace -- socat -T 3 - TCP4:v6only.test:8080 </dev/null; echo "RESULT socat4 $?"
bia run --trace -- socat -T 3 - TCP6:v4only.test:8081 </dev/null; echo "RESULT socat6 $?"
bia status | grep '^network:'
bia run -- python3 "$LAB_DIR/client.py" 4 v6only.test 8080; echo "RESULT py4 $?"
bia run -- python3 "$LAB_DIR/client.py" 6 v4only.test 8081; echo "RESULT py6 $?"`,
      DUAL,
    );
    expect(r.stdout).toContain('network: dual');
    expect(r.rc('plain4')).not.toBe(0);
    expect(r.rc('plain6')).not.toBe(0);
    expect(r.rc('socat4'), r.stderr).toBe(0);
    expect(r.rc('socat6'), r.stderr).toBe(0);
    expect(r.rc('py4'), r.stderr).toBe(0);
    expect(r.rc('py6'), r.stderr).toBe(0);
    // The IPv6-only service saw the host's IPv6 address, the IPv4-only one its IPv4 address.
    expect(r.stdout.split(V6_SOURCE)).toHaveLength(3);
    expect(r.stdout.split(V4_SOURCE)).toHaveLength(3);
    expect(r.stdout).toMatch(/^v4 v6only\.test resolved (198\.1[89]\.\d+\.\d+) peer \1 got: /m);
    expect(r.stdout).toContain('v6 v4only.test resolved ::ffff:198.51.100.2 peer ::ffff:198.51.100.2 got: ');
    expect(r.stderr).toMatch(/connect 198\.1[89]\.\d+\.\d+:8080 -> \[2001:db8:1::2\]:8080/);
  });

  it('a name with both families stays native for both programs: the peer sees each in its own family', async () => {
    const r = await lab(
      `${SETUP}
bia run --trace -- python3 "$LAB_DIR/client.py" 4 dual.test 8081; echo "RESULT py4 $?"
bia run --trace -- python3 "$LAB_DIR/client.py" 6 dual.test 8080; echo "RESULT py6 $?"
bia run --trace -- socat -T 3 - TCP4:dual.test:8081 </dev/null; echo "RESULT socat4 $?"
bia run --trace -- socat -T 3 - TCP6:dual.test:8080 </dev/null; echo "RESULT socat6 $?"`,
      DUAL,
    );
    for (const name of ['py4', 'py6', 'socat4', 'socat6']) expect(r.rc(name), r.stderr).toBe(0);
    expect(r.stdout).toContain(`v4 dual.test resolved 198.51.100.2 peer 198.51.100.2 got: ${V4_SOURCE}`);
    expect(r.stdout).toContain(`v6 dual.test resolved 2001:db8:1::2 peer 2001:db8:1::2 got: ${V6_SOURCE}`);
    expect(r.stdout.split(V4_SOURCE)).toHaveLength(3);
    expect(r.stdout.split(V6_SOURCE)).toHaveLength(3);
    // Nothing was translated.
    expect(r.stderr).not.toMatch(/connect .* -> /);
  });
});
