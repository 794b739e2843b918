// `bia run` as a launcher: one helper per user, started on demand and
// reused; CMD's exit status passed through; untranslated calls and mappings
// the process already knows cost no helper round trip.
import { describe, expect, it } from 'vitest';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { runInLab } from '../../src/lab/lab.js';


describe('bia run', skipWhen(labMissing), () => {
  it("exits with CMD's status, 128+N for a signal, 127 for a missing command", async () => {
    const r = await runInLab(`bia run -- sh -c 'exit 7'; echo "status $?"
bia run -- sh -c 'kill -TERM $$'; echo "status $?"
bia run -- /no/such/program; echo "status $?"
bia run; echo "status $?"
bia --version`);
    expect(r.stdout.match(/^status \d+$/gm)).toEqual(['status 7', 'status 143', 'status 127', 'status 2']);
    expect(r.stderr).toContain('bia: /no/such/program: command not found');
    expect(r.stdout).toMatch(/^bia \d+\.\d+\.\d+$/m);
  });

  it('leaves no orphan when bia run itself is killed outright', async () => {
    const r = await runInLab(String.raw`node "$BIA_ROOT/dist/cli/main.js" run -- sleep 300 &
launcher=$!
lab_wait "the program" pgrep -f '^sleep 300$'
kill -9 "$launcher"
for _ in $(seq 1 50); do pgrep -f '^sleep 300$' >/dev/null || break; sleep 0.1; done
echo "sleep left: $(pgrep -fc '^sleep 300$')"
# A program's own children are not tied to bia run.
bia run -- sh -c 'sleep 301 & echo "grandchild $!"'
sleep 0.3
echo "grandchild left: $(pgrep -fc '^sleep 301$')"`);
    expect(r.stdout, r.stderr).toContain('sleep left: 0');
    expect(r.stdout).toContain('grandchild left: 1');
  });

  it('starts one helper for the user and reuses it', async () => {
    const r = await runInLab(`bia run -- true; bia run -- true
echo "helpers $(pgrep -fc '[m]ain.js helper')"
ls -ld "$XDG_RUNTIME_DIR/bia" | cut -c1-10
# SCHED_BATCH (3): its wake-ups do not preempt the programs (native/sched.cc).
echo "helper $(grep '^policy' /proc/$(pgrep -f '[m]ain.js helper')/sched | tr -d ' ')"`);
    expect(r.stdout).toContain('helpers 1');
    // The lab's user is root: its helper's directory lets every uid reach the socket, and only root write (docs/containers.md).
    expect(r.stdout).toContain('drwxr-xr-x');
    expect(r.stdout).toContain('helper policy:3');
  });

  it('asks the helper only what it must: no round trip for loopback or for a mapping the process already knows', async () => {
    const r = await runInLab(String.raw`peer_serve_tcp 8080
socat TCP4-LISTEN:7070,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo local' &
lab_wait "a loopback service" sh -c 'ss -Htln "sport = :7070" | grep -q .'
bia run --log-level debug -- python3 - <<'PY'
import socket
for _ in range(3):
    socket.create_connection(("127.0.0.1", 7070), timeout=3).close()
addr = socket.gethostbyname("v6only.test")
for _ in range(3):
    s = socket.socket(socket.AF_INET)
    s.connect((addr, 8080))
    s.close()
print("done", addr)
PY
echo "RESOLVE $(grep -c 'RESOLVE4 v6only.test' "$XDG_STATE_HOME/bia/helper.log")"
echo "MAP $(grep -c 'MAP[46]' "$XDG_STATE_HOME/bia/helper.log")"
# A fresh process given the pool address: no round trip at all. bia run
# reads the pool from the helper's published table instead of asking HELLO
# and puts it in the environment; the program's preload finds the mapping
# in the same table instead of asking MAP4. Counted from here: a helper
# still starting up may answer a HELLO twice, once to a launcher that gave
# up waiting.
hellos=$(grep -c 'HELLO' "$XDG_STATE_HOME/bia/helper.log")
bia run -- python3 -c 'import socket; socket.create_connection(("198.18.0.1", 8080), timeout=3).close()'
echo "HELLO $(( $(grep -c 'HELLO' "$XDG_STATE_HOME/bia/helper.log") - hellos ))"
echo "MAP4 $(grep -c 'MAP4' "$XDG_STATE_HOME/bia/helper.log")"
# Without the table (gone, say), bia run asks HELLO again, and the program MAP4.
mv "$XDG_RUNTIME_DIR/bia/helper.sock.map" "$LAB_DIR/table"
bia run -- python3 -c 'import socket; socket.create_connection(("198.18.0.1", 8080), timeout=3).close()'
echo "no table: HELLO $(( $(grep -c 'HELLO' "$XDG_STATE_HOME/bia/helper.log") - hellos )) MAP4 $(grep -c 'MAP4' "$XDG_STATE_HOME/bia/helper.log")"`);
    expect(r.stdout, r.stderr).toMatch(/^done 198\.18\.0\.1$/m);
    expect(r.stdout).toContain('RESOLVE 1');
    expect(r.stdout).toContain('MAP 0');
    expect(r.stdout).toContain('HELLO 0');
    expect(r.stdout).toContain('MAP4 0');
    expect(r.stdout).toContain('no table: HELLO 1 MAP4 1');
  });
});
