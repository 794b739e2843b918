// End to end: the helper dies (SIGKILL) or stops answering (SIGSTOP) under
// a running program. Its next call that needs the helper fails within the
// bounded timeout with the code a program handles (EAI_AGAIN for a name
// lookup), also once the cached HELLO has expired; calls that need no
// helper (loopback, a name the process resolved within its ttl) keep
// working; after the next `bia run` restarts the helper, the pool address
// the program resolved before the kill still reaches its peer
// (docs/mapping-lifecycle.md) and lookups work again.
import { describe, expect, it } from 'vitest';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { runInLab } from '../../src/lab/lab.js';

const PROGRAM = String.raw`cat >"$LAB_DIR/program.py" <<'PY'
import os, socket, time

def wait(flag):
    while not os.path.exists(os.path.join(os.environ["FLAGS"], flag)):
        time.sleep(0.05)

def lookup(label, name="multi.test"):
    start = time.monotonic()
    try:
        print(label, socket.gethostbyname(name), end=" ")
    except OSError as e:
        print(label, type(e).__name__, e.errno, end=" ")
    print("ms", int((time.monotonic() - start) * 1000), flush=True)

addr = socket.gethostbyname("v6only.test")
print("resolved", addr, flush=True)
wait("killed")
lookup("killed")
server = socket.socket()
server.bind(("127.0.0.1", 0)); server.listen()
start = time.monotonic()
socket.create_connection(server.getsockname(), timeout=3).close()
print("loopback ms", int((time.monotonic() - start) * 1000))
time.sleep(6)  # past the HELLO the preload cached (5 s)
lookup("killed-late")
print("waiting", flush=True)
wait("restarted")
s = socket.create_connection((addr, 8080), timeout=3)
print("greeting", s.recv(200).decode().strip())
lookup("restarted")
print("waiting again", flush=True)
wait("stopped")
lookup("stopped-kept")  # answered before, within its ttl: the process has it
lookup("stopped", "dual.test")
PY`;

const HELPER_PID = `bia status --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["helper"]["pid"])'`;

describe('a helper that dies under a running program', skipWhen(labMissing), () => {
  it('fails lookups within the bound, keeps loopback working, and serves the old pool address after a restart', async () => {
    const r = await runInLab(`peer_serve_tcp 8080
${PROGRAM}
OUT="$LAB_DIR/program.out"
: >"$OUT" # there before the program writes to it
FLAGS="$LAB_DIR" BIA_RESOLVE_TIMEOUT_MS=700 bia run -- python3 -u "$LAB_DIR/program.py" >"$OUT" 2>&1 &
PROGRAM_PID=$!
lab_wait "the program's name lookup" grep -q '^resolved' "$OUT"
HELPER=$(${HELPER_PID})
echo "killing helper $HELPER"
kill -9 "$HELPER"
while kill -0 "$HELPER" 2>/dev/null; do sleep 0.05; done
touch "$LAB_DIR/killed"
lab_wait "the calls without a helper" grep -q '^waiting$' "$OUT"
bia run -- true
HELPER=$(${HELPER_PID})
echo "restarted helper $HELPER"
touch "$LAB_DIR/restarted"
lab_wait "the calls after the restart" grep -q '^waiting again$' "$OUT"
kill -STOP "$HELPER"
touch "$LAB_DIR/stopped"
wait "$PROGRAM_PID"; echo "program exit $?"
kill -CONT "$HELPER"
cat "$OUT"
cat "$XDG_STATE_HOME/bia/helper.log" >&2`);
    const log = `${r.stdout}\n${r.stderr}`;
    const ms = (label: string) => Number(r.stdout.match(new RegExp(`^${label} .* ms (\\d+)$`, 'm'))?.[1]);
    expect(r.stdout, log).toMatch(/^resolved 198\.1[89]\.\d+\.\d+$/m);
    expect(r.stdout, log).toMatch(/^killing helper \d+$/m);
    // The same lookup: EAI_AGAIN (-3) while the helper is dead or stopped, an answer while it lives.
    expect(r.stdout, log).toMatch(/^killed gaierror -3 ms \d+$/m);
    expect(r.stdout, log).toMatch(/^killed-late gaierror -3 ms \d+$/m);
    expect(r.stdout, log).toMatch(/^restarted 198\.1[89]\.\d+\.\d+ ms \d+$/m);
    expect(r.stdout, log).toMatch(/^stopped gaierror -3 ms \d+$/m);
    expect(r.stdout, log).toMatch(/^stopped-kept 198\.1[89]\.\d+\.\d+ ms \d+$/m);
    expect(ms('stopped-kept')).toBeLessThan(100);
    expect(ms('killed')).toBeLessThan(1000);
    expect(ms('killed-late')).toBeLessThan(1000);
    expect(ms('stopped')).toBeGreaterThanOrEqual(600); // it waited for the configured bound...
    expect(ms('stopped')).toBeLessThan(1500); // ...and no longer
    expect(Number(r.stdout.match(/^loopback ms (\d+)$/m)?.[1])).toBeLessThan(100);
    expect(r.stdout, log).toMatch(/^restarted helper \d+$/m);
    expect(r.stdout, log).toContain('greeting hello from the IPv6-only peer');
    expect(r.stdout, log).toMatch(/^program exit 0$/m);
  });
});
