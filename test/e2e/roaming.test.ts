// End to end: a roaming laptop. The network changes under a running
// program (IPv4 appears on the lab's IPv6-only link, or goes away) without
// restarting anything: a connection made before the change keeps working,
// and a new connection follows the new mode. The peer's service greets
// with the address it saw the client come from, then echoes.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

// The program: connects, waits for the shell to change the network (a
// "flip" file), checks its old connection, then connects again until the
// new connection shows the new mode (or 10 s pass).
const PROGRAM = (kept: string, host: string, newMode: string) => String.raw`python3 - <<'PY'
import os, socket, time
def conn(host):  # an IPv4-only client
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect((socket.gethostbyname(host), 8090))
    f = s.makefile("rw")
    return s, f, f.readline().strip()
s1, f1, g1 = conn("${kept}")
print("kept", g1)
_, _, g = conn("${host}")
print("before", g)
open(os.environ["LAB_DIR"] + "/ready", "w").close()
while not os.path.exists(os.environ["LAB_DIR"] + "/flipped"):
    time.sleep(0.05)
start = time.monotonic()
f1.write("still here\n"); f1.flush()
print("echo", f1.readline().strip())
while True:
    s, _, g = conn("${host}")
    if "${newMode}" in g or time.monotonic() - start > 10:
        break
    time.sleep(0.2)
print("after", g, s.getpeername()[0], "%.1f" % (time.monotonic() - start))
PY`;

const SERVE = String.raw`peer socat TCP6-LISTEN:8090,ipv6only=0,reuseaddr,fork SYSTEM:'echo "you are $SOCAT_PEERADDR"; exec cat' &
lab_wait "the echo service" peer_listening 8090`;

// Runs PROGRAM under bia in the background and FLIP once it is connected.
const around = (program: string, flip: string) => String.raw`${SERVE}
(LAB_DIR=$LAB_DIR bia run -- ${program}
echo "RESULT program $?") &
lab_wait "the program's first connections" test -e "$LAB_DIR/ready"
${flip}
touch "$LAB_DIR/flipped"
wait $!
cat "$LAB_DIR/state/bia/helper.log"`;

// socat shows the IPv4 client 192.0.2.1 as ::ffff:c000:201, written out in full.
const V4_CLIENT = 'ffff:c000:0201';
const HOST6 = /\[2001:0?db8:0{0,3}1:[0:]*:0{0,3}1\]/;

describe('roaming: the network changes under a running program', skipWhen(labMissing), () => {
  it('IPv4 goes away: the open connection keeps working, the next one goes over IPv6 at once', async () => {
    const r = await lab(`lab_add_ipv4
${around(PROGRAM('v6only.test', 'dual.test', '2001'), 'lab_del_ipv4')}`);
    expect(r.rc('program'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^kept you are ${HOST6.source}`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^before you are .*${V4_CLIENT}`, 'm')); // dual: native IPv4
    expect(r.stdout).toContain('echo still here');
    const after = r.stdout.match(/^after (.*) (\S+) ([\d.]+)$/m);
    expect(after?.[1], r.stdout).toMatch(HOST6); // now over IPv6...
    expect(after?.[2]).toBe('192.0.2.10'); // ...with the program still seeing dual.test's IPv4 address
    expect(Number(after?.[3])).toBeLessThan(1.5); // the first connect after the change, not the 2 s HELLO ttl
    expect(r.stdout).toMatch(/network changed \(dual -> ipv6-only\)/);
  });

  it('IPv4 appears: the open connection over IPv6 keeps working, new ones go native within seconds', async () => {
    const r = await lab(around(PROGRAM('dual.test', 'dual.test', V4_CLIENT), 'lab_add_ipv4'));
    expect(r.rc('program'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^kept you are ${HOST6.source}`, 'm'));
    expect(r.stdout).toContain('echo still here');
    const after = r.stdout.match(/^after (.*) (\S+) ([\d.]+)$/m);
    expect(after?.[1], r.stdout).toContain(V4_CLIENT);
    expect(after?.[2]).toBe('192.0.2.10');
    expect(Number(after?.[3])).toBeLessThan(5); // once the program's cached HELLO (2 s) ran out
    expect(r.stdout).toMatch(/network changed \(ipv6-only -> dual\)/);
  });

  it('a NAT64 that appears on the IPv6-only network is found without a restart', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
bia run -- nc.traditional -w 2 192.0.2.20 8080; echo "RESULT before $?"
lab_nat64
sleep 0.5
bia run -- nc.traditional -w 2 192.0.2.20 8080; echo "RESULT after $?"
cat "$LAB_DIR/state/bia/helper.log"`);
    expect(r.rc('before')).not.toBe(0);
    expect(r.rc('after'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no NAT64 found[\s\S]*network changed \(still ipv6-only\)[\s\S]*NAT64 prefix 2001:db8:64::\/96/);
  });

  it('a host network that appears inside the pool is logged and its addresses are no longer handed out', async () => {
    const r = await lab(String.raw`bia run -- getent ahostsv4 v6only.test | head -1
ip addr add 198.18.0.77/24 dev bia0
sleep 0.5
bia run -- getent ahostsv4 multi.test | sed 's/^/multi /'
cat "$LAB_DIR/state/bia/helper.log"`);
    expect(r.stdout).toMatch(/^198\.18\.0\.1 /m); // before: the first pool address
    const multi = [...new Set([...r.stdout.matchAll(/^multi (198\.\d+\.\d+\.\d+) /gm)].map((m) => m[1]))];
    // 2001:db8:1::2 keeps its mapping (a connection may use it); 2001:db8:1::3 gets a new one, outside the LAN.
    expect(multi, r.stdout).toContain('198.18.0.1');
    const fresh = multi.filter((a) => a !== '198.18.0.1');
    expect(fresh.length, r.stdout).toBe(1);
    expect(fresh[0]).not.toMatch(/^198\.18\.0\./);
    expect(r.stdout).toContain("the host's network 198.18.0.0/24 (bia0) overlaps the pool 198.18.0.0/15: its addresses are not handed out while it is there");
  });
});
