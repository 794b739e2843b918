// End to end: a helper killed with SIGKILL and started again still answers
// for the pool addresses it handed out (docs/mapping-lifecycle.md), so a
// program that resolved a name before the crash connects after it.
import { describe, expect, it } from 'vitest';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { runInLab } from '../../src/lab/lab.js';

// Resolves, waits for the go-ahead, then connects from a fresh process: the
// fresh preload has no cache of its own and must ask the new helper (MAP4).
// Then the program itself resolves a name it has not asked for: the
// connection its preload kept went to the killed helper, so it must
// connect again, to the new one, without failing the call.
const PROGRAM = String.raw`cat >"$LAB_DIR/program.py" <<'PY'
import os, socket, subprocess, sys, time
addr = socket.gethostbyname("v6only.test")
print("resolved", addr)
while not os.path.exists(os.environ["GO"]):
    time.sleep(0.05)
code = "import socket, sys; s = socket.create_connection((sys.argv[1], 8080), timeout=3); print('greeting', s.recv(200).decode().strip())"
r = subprocess.run([sys.executable, "-c", code, addr], capture_output=True, text=True)
print(r.stdout.strip(), r.stderr.strip())
print("connect-rc", r.returncode)
print("after-restart", socket.gethostbyname("multi.test"))
s = socket.create_connection(("multi.test", 8080), timeout=3)
print("own greeting", s.recv(200).decode().strip())
PY`;

describe('a helper restart', skipWhen(labMissing), () => {
  it('keeps the pool address a running program resolved before a kill -9', async () => {
    const r = await runInLab(`peer_serve_tcp 8080
${PROGRAM}
OUT="$LAB_DIR/program.out"
: >"$OUT" # there before the program writes to it
GO="$LAB_DIR/go" bia run -- python3 -u "$LAB_DIR/program.py" >"$OUT" 2>&1 &
PROGRAM_PID=$!
lab_wait "the program's name lookup" grep -q '^resolved' "$OUT"
OLD=$(pgrep -f '[m]ain.js helper')
echo "old helper $OLD"
ps -eo pid,args >&2
kill -9 "$OLD"
while kill -0 "$OLD" 2>/dev/null; do sleep 0.05; done
bia run -- true
# Another peer asks first: a helper that forgot would give it the program's address.
node --input-type=module -e "
import { request } from '$BIA_ROOT/dist/client.js';
import { MsgType } from '$BIA_ROOT/dist/wire/messages.js';
const r = await request(process.env.XDG_RUNTIME_DIR + '/bia/helper.sock', { type: MsgType.Map6, id: 1, v6: '2001:db8:99::1' });
console.log('stranger', r.entry?.v4);"
bia run -- python3 -c 'import socket; print("again", socket.gethostbyname("v6only.test"))'
echo "new helper $(pgrep -f '[m]ain.js helper')"
touch "$LAB_DIR/go"
wait "$PROGRAM_PID"; echo "program exit $?"
cat "$OUT"
cat "$XDG_STATE_HOME/bia/helper.log" >&2`);
    const resolved = r.stdout.match(/^resolved (198\.1[89]\.\d+\.\d+)$/m)?.[1];
    expect(resolved, `${r.stdout}\n${r.stderr}`).toBeDefined();
    const [oldPid, newPid] = [/^old helper (\d+)$/m, /^new helper (\d+)$/m].map((re) => r.stdout.match(re)?.[1]);
    expect(oldPid, `${r.stdout}\n${r.stderr}`).toBeDefined();
    expect(newPid, `${r.stdout}\n${r.stderr}`).toBeDefined();
    expect(newPid).not.toBe(oldPid);
    expect(r.stdout).toMatch(/^stranger 198\.1[89]\.\d+\.\d+$/m);
    expect(r.stdout).not.toContain(`stranger ${resolved}`);
    expect(r.stdout).toContain(`again ${resolved}`);
    expect(r.stdout, r.stderr).toContain('greeting hello from the IPv6-only peer');
    expect(r.stdout).toMatch(/^connect-rc 0$/m);
    expect(r.stdout).toMatch(/^after-restart 198\.1[89]\.\d+\.\d+$/m);
    expect(r.stdout).toMatch(/^own greeting hello from the IPv6-only peer/m);
    expect(r.stdout).toMatch(/^program exit 0$/m);
  });
});
