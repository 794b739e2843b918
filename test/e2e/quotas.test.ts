// End to end: allocation quotas (BIA section 9, docs/mapping-lifecycle.md).
// A process that used up its quota gets EAI_AGAIN for new IPv6 peers, the
// helper logs who it was (once, not per refusal), and another process
// still gets its mappings while the first one's stay. The quota is set the way a
// user sets it: a BIA_* variable that bia run hands to the helper it starts.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';

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

describe.skipIf(labMissing)('allocation quotas', () => {
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
});
