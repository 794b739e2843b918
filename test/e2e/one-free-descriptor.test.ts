// connect() with exactly one descriptor free before its socket() (issue 17
// item 8), through bia run in the dual-stack lab, where a connect to a pool
// address swaps the AF_INET socket to AF_INET6 (a second descriptor) and
// reports the mapping use to the helper (a third, unless one is kept):
// python3 sets RLIMIT_NOFILE, fills every descriptor but one, and connects
// to the IPv6-only service by name, over TCP and UDP, blocking and not;
// with the soft limit below the hard one, and at it. The connect must
// succeed and getpeername show the pool address; never EMFILE, which
// connect does not return natively (the old library's answer in every case).
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const SCRIPT = String.raw`import errno, os, resource, select, socket, sys
proto, mode, limit = sys.argv[1:4]
addr = socket.gethostbyname("v6only.test")
soft = max(int(n) for n in os.listdir("/proc/self/fd")) + 16
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, soft if limit == "hard" else soft + 64))
held = []
while True:
    try:
        held.append(os.open("/dev/null", os.O_RDONLY))
    except OSError as e:
        assert e.errno == errno.EMFILE
        break
os.close(held.pop())
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM)
s.setblocking(mode == "block")
err = s.connect_ex((addr, 8080))
if err == errno.EINPROGRESS:
    select.select([], [s], [], 5)
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
peer = s.getpeername()[0] if err == 0 else "-"
print("CASE", proto, mode, limit, errno.errorcode.get(err, "OK"), peer, addr)
`;

const CASES = ['tcp', 'udp'].flatMap((p) => ['block', 'nonblock'].flatMap((m) => ['soft', 'hard'].map((l) => `${p} ${m} ${l}`)));

describe('connect with one free descriptor', skipWhen(labMissing), () => {
  it('TCP and UDP, blocking and not, soft limit below the hard one and at it: connected, never EMFILE', async () => {
    const r = await lab(`peer_serve_tcp 8080
cat >"$LAB_DIR/one_free.py" <<'PY'
${SCRIPT}
PY
for c in ${CASES.map((c) => `"${c}"`).join(' ')}; do bia run -- python3 "$LAB_DIR/one_free.py" $c; done`, { family: 'dual' });
    const log = `${r.stdout}\n${r.stderr}`;
    for (const c of CASES) {
      const m = r.stdout.match(new RegExp(`^CASE ${c} (\\S+) (\\S+) (\\S+)$`, 'm'));
      expect(m, `${c}\n${log}`).not.toBeNull();
      expect(m![1], `${c}\n${log}`).toBe('OK');
      expect(m![2], `${c}: the peer is the pool address it connected to\n${log}`).toBe(m![3]);
      expect(m![3], log).toMatch(/^198\.1[89]\./);
    }
    expect(r.stderr, log).not.toMatch(/Too many open files/);
  }, 90_000);
});
