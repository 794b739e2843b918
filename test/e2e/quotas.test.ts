// End to end: allocation quotas (BIA section 9, docs/mapping-lifecycle.md).
// A process that used up its quota gets EAI_AGAIN for new IPv6 peers, the
// helper logs who it was (once, not per refusal), and another process
// still gets its mappings while the first one's stay. The quota is set the way a
// user sets it: a BIA_* variable that bia run hands to the helper it starts.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

// Each IPv6 literal an IPv4 program resolves gets a pool address of its own
// (appendix A of the draft), so literals make as many new peers as needed.
const GREEDY = String.raw`cat >"$LAB_DIR/greedy.py" <<'PY'
import os, socket
for i in range(1, 5):
    try:
        print("greedy", i, socket.getaddrinfo("2001:db8:77::%d" % i, 80, socket.AF_INET)[0][4][0], flush=True)
    except socket.gaierror as e:
        print("greedy", i, "EAI_AGAIN" if e.errno == socket.EAI_AGAIN else e, flush=True)
print("greedy pid", os.getpid())
PY`;

describe('allocation quotas', skipWhen(labMissing), () => {
  it('stop one process at its quota and leave the others alone', async () => {
    const r = await lab(`peer_serve_tcp 8080
${GREEDY}
export BIA_QUOTA_PER_PROCESS=2
bia run -- python3 "$LAB_DIR/greedy.py"; echo "RESULT greedy $?"
bia run -- python3 -c 'import socket; a = socket.gethostbyname("v6only.test"); s = socket.create_connection((a, 8080), timeout=5); print("other", a, s.recv(100).decode().split(",")[0])'
echo "RESULT other $?"
bia status; echo "RESULT status $?"
cat "$XDG_STATE_HOME/bia/helper.log" >&2`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('greedy'), out).toBe(0);
    expect(r.stdout.match(/^greedy \d .*$/gm), out).toEqual(['greedy 1 198.18.0.1', 'greedy 2 198.18.0.2', 'greedy 3 EAI_AGAIN', 'greedy 4 EAI_AGAIN']);
    const pid = r.stdout.match(/^greedy pid (\d+)$/m)?.[1];
    // Logged once (not per refusal), with who it was.
    expect(r.stderr, out).toMatch(new RegExp(`refused a new pool mapping to pid ${pid} \\(uid \\d+, \\S*python3[.\\d]*\\): process ${pid} already has 2 pool mappings, its quota`));
    expect(r.stderr.match(/refused a new pool mapping/g)?.length, out).toBe(1);
    expect(r.rc('other'), out).toBe(0);
    expect(r.stdout, out).toMatch(/^other 198\.18\.0\.3 hello from the IPv6-only peer$/m);
    // The greedy process's own mappings are still there.
    expect(r.stdout, out).toMatch(/^ {2}198\.18\.0\.1 +2001:db8:77::1 +pool /m);
    expect(r.stdout, out).toMatch(/quotaPerProcess +2 +from \$BIA_QUOTA_PER_PROCESS/);
  });

  // A connect names its peer by an IPv4 address, which the helper allocated
  // when the name or IPv6 literal was converted: that is where a quota
  // refusal lands (EAI_AGAIN). The socket call that itself needs a new
  // mapping is accept, for an IPv6 client no mapping stands for yet.
  it('refuse a new peer at its conversion and at accept (EADDRNOTAVAIL), while the process keeps its own mappings', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
export LAB_PEER_PID BIA_QUOTA_PER_PROCESS=2
cat >"$LAB_DIR/server.py" <<'PY'
import errno, os, socket, subprocess
env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
def greet(addr):
    with socket.create_connection((addr, 8080), timeout=5) as s:
        return s.recv(100).decode().split(",")[0]
def client_from(src):
    # An IPv6 client on the peer, from address src, of this server.
    return subprocess.Popen(["nsenter", "--net=/proc/%s/ns/net" % env["LAB_PEER_PID"], "socat", "-u", "-",
                             "TCP6:[2001:db8:1::1]:9090,bind=[%s]" % src], stdin=subprocess.DEVNULL, env=env)
peer = socket.gethostbyname("v6only.test")
print("own", peer, greet(peer), flush=True)
print("literal", socket.getaddrinfo("2001:db8:77::1", 80, socket.AF_INET)[0][4][0], flush=True)
with socket.socket(socket.AF_INET) as s:
    try:
        s.connect(("2001:db8:1::3", 8080))
        print("new peer connected", s.getpeername())
    except socket.gaierror as e:
        print("new peer", "EAI_AGAIN" if e.errno == socket.EAI_AGAIN else e, flush=True)
srv = socket.socket(socket.AF_INET)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 9090))
srv.listen(5)
srv.settimeout(5)
for src in ("2001:db8:1::3", "2001:db8:1::2"):
    c = client_from(src)
    try:
        conn, addr = srv.accept()
        print("accept", src, addr[0], flush=True)
        conn.close()
    except OSError as e:
        print("accept", src, errno.errorcode.get(e.errno, e), flush=True)
    c.wait()
print("own again", peer, greet(peer), flush=True)
print("server pid", os.getpid(), flush=True)
PY
bia run -- python3 "$LAB_DIR/server.py"; echo "RESULT server $?"
bia run -- python3 -c 'import socket; print("other", socket.getaddrinfo("2001:db8:1::3", 80, socket.AF_INET)[0][4][0])'
echo "RESULT other $?"
cat "$XDG_STATE_HOME/bia/helper.log" >&2`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('server'), out).toBe(0);
    expect(r.stdout, out).toMatch(/^own 198\.18\.0\.1 hello from the IPv6-only peer$/m);
    expect(r.stdout, out).toMatch(/^literal 198\.18\.0\.2$/m);
    expect(r.stdout, out).toMatch(/^new peer EAI_AGAIN$/m);
    // The client no mapping stands for is turned away; the one whose mapping exists gets in.
    expect(r.stdout, out).toMatch(/^accept 2001:db8:1::3 EADDRNOTAVAIL$/m);
    expect(r.stdout, out).toMatch(/^accept 2001:db8:1::2 198\.18\.0\.1$/m);
    expect(r.stderr, out).toMatch(/accept from \[2001:db8:1::3\]:\d+: connection closed: Cannot assign requested address/);
    expect(r.stdout, out).toMatch(/^own again 198\.18\.0\.1 hello from the IPv6-only peer$/m);
    const pid = r.stdout.match(/^server pid (\d+)$/m)?.[1];
    expect(r.stderr, out).toMatch(new RegExp(`refused a new pool mapping to pid ${pid} \\(uid \\d+, \\S*python3[.\\d]*\\): process ${pid} already has 2 pool mappings, its quota`));
    // Another process is not held to the first one's quota.
    expect(r.rc('other'), out).toBe(0);
    expect(r.stdout, out).toMatch(/^other 198\.18\.0\.3$/m);
  });
});
