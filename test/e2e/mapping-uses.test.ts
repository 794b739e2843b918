// End to end: the preload reports the mappings its sockets use (USE and
// RELEASE), so a full pool never takes the address of a live connection,
// even long past its idle timeout and quarantine, and takes it once the
// connection is closed, or once the process holding it is killed
// (docs/mapping-lifecycle.md). bia status shows the table while it happens.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { FILL_POOL } from '../support/pool-fill.js';

// 6 usable addresses (198.18.0.1-6). Without the uses, the program's mapping
// would expire after 1 s idle and its address be reused 1.5 s after its
// last use. The word "helper" after the script is how bia status
// recognises a helper process (cli/helper-peer.ts reads its command line).
const START_HELPER = String.raw`node -e "
import('$BIA_ROOT/dist/helper/server.js').then(({ startHelper }) =>
  startHelper({ pool: '198.18.0.0/29', poolTtl: 1, quarantineMs: 1500, mappingIdleMs: 1000, sweepIntervalMs: 300 }));" helper 2>"$LAB_DIR/helper.log" &
lab_wait "the helper" test -S "$XDG_RUNTIME_DIR/bia/helper.sock"`;

// A program that resolves v6only.test, connects, and holds the connection
// until $LAB_DIR/$2 appears; then it checks the connection still works.
const HOLDER = String.raw`cat >"$LAB_DIR/hold.py" <<'PY'
import os, socket, sys, time
addr = socket.gethostbyname("v6only.test")
s = socket.create_connection((addr, 8080), timeout=5)
print("holder", sys.argv[1], os.getpid(), addr, s.recv(200).decode().strip(), flush=True)
while not os.path.exists(os.path.join(os.environ["LAB_DIR"], sys.argv[1])):
    time.sleep(0.05)
s.sendall(b"ping\n")
print("holder", sys.argv[1], "still connected", flush=True)
s.close()
PY`;

// Prints "status <v4> <peer> <name> <in use> <used at all>" for each mapping, and the pool's size and free count.
const STATUS = String.raw`show_status() {
  bia status --json >"$LAB_DIR/status.json"; echo "RESULT status-$1 $?"
  node -e "const s = require('$LAB_DIR/status.json').helper; console.log('pool-$1', s.poolUsage.size, s.poolUsage.free);
    for (const m of s.mappings) console.log('status-$1', m.v4, m.v6, m.name, m.inUse, m.uses > 0)"
}`;

describe('mappings in use', skipWhen(labMissing), () => {
  it('are never reused while a socket holds them, and are once it is closed or its process dies', async () => {
    const r = await lab(`peer_serve_tcp 8080
${START_HELPER}
${FILL_POOL}
${HOLDER}
${STATUS}
export LAB_DIR
bia run -- python3 "$LAB_DIR/hold.py" one >"$LAB_DIR/one.out" &
ONE=$!
lab_wait "the first holder" grep -q holder "$LAB_DIR/one.out"
cat "$LAB_DIR/one.out"
sleep 3   # far past the idle timeout and the quarantine
node "$LAB_DIR/fill.mjs" 1 6 held:
show_status held
touch "$LAB_DIR/one"; wait $ONE
cat "$LAB_DIR/one.out"
sleep 3   # expired, and past the quarantine after the close
node "$LAB_DIR/fill.mjs" 7 7 released:
# A holder killed outright: its use is given back when the helper notices.
bia run -- python3 "$LAB_DIR/hold.py" two >"$LAB_DIR/two.out" &
lab_wait "the second holder" grep -q holder "$LAB_DIR/two.out"
cat "$LAB_DIR/two.out"
show_status two
kill -9 "$(awk '{print $3; exit}' "$LAB_DIR/two.out")"
sleep 3
show_status killed
node "$LAB_DIR/fill.mjs" 8 13 killed:
cat "$LAB_DIR/helper.log" >&2`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.stdout, out).toMatch(/^holder one \d+ 198\.18\.0\.1 hello from the IPv6-only peer/m);
    // Five free addresses go; the held one is not reused, so the sixth fails.
    expect(r.stdout, out).toMatch(/^held: 198\.18\.0\.2 198\.18\.0\.3 198\.18\.0\.4 198\.18\.0\.5 198\.18\.0\.6 PoolExhausted$/m);
    expect(r.rc('status-held'), out).toBe(0);
    expect(r.stdout, out).toMatch(/^status-held 198\.18\.0\.1 2001:db8:1::2 v6only\.test 1 true$/m);
    expect(r.stdout, out).toMatch(/^pool-held 6 0$/m);
    expect(r.stdout, out).toMatch(/^holder one still connected$/m);
    // Released, expired and past its quarantine: the pool has room again.
    expect(r.stdout, out).toMatch(/^released: 198\.18\.0\.\d$/m);
    const two = r.stdout.match(/^holder two \d+ (198\.18\.0\.\d) hello/m)?.[1];
    expect(two, out).toBeDefined();
    expect(r.stdout, out).toContain(`status-two ${two} 2001:db8:1::2 v6only.test 1 true`);
    // Killed with its connection open: its use is given back, nothing stays held.
    expect(r.stdout, out).not.toMatch(/^status-killed \S+ \S+ \S+ [1-9]/m);
    expect(r.stdout, out).toMatch(/^killed: 198\.18\.0\.\d 198\.18\.0\.\d 198\.18\.0\.\d 198\.18\.0\.\d 198\.18\.0\.\d 198\.18\.0\.\d$/m);
  });

  it('follow a socket into a forked child: the parent closing its copy does not end the child\'s use', async () => {
    const r = await lab(`peer_serve_tcp 8080
${START_HELPER}
${STATUS}
export LAB_DIR
cat >"$LAB_DIR/fork.py" <<'PY'
import os, socket, time
go = os.path.join(os.environ["LAB_DIR"], "go")
s = socket.create_connection((socket.gethostbyname("v6only.test"), 8080), timeout=5)
s.recv(200)
if os.fork() == 0:
    while not os.path.exists(go):
        time.sleep(0.05)
    s.sendall(b"ping\\n")
    print("child still connected", flush=True)
    os._exit(0)
s.close()
print("parent closed its copy", flush=True)
PY
bia run -- python3 "$LAB_DIR/fork.py" >"$LAB_DIR/fork.out" &
lab_wait "the parent" grep -q parent "$LAB_DIR/fork.out"
sleep 2   # the parent has exited, and the helper's sweep noticed
show_status forked
touch "$LAB_DIR/go"
lab_wait "the child" grep -q child "$LAB_DIR/fork.out"
sleep 1   # the child has exited too
show_status done
cat "$LAB_DIR/fork.out"`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.stdout, out).toMatch(/^status-forked 198\.18\.0\.1 2001:db8:1::2 v6only\.test 1 true$/m);
    expect(r.stdout, out).toMatch(/^child still connected$/m);
    expect(r.stdout, out).not.toMatch(/^status-done \S+ \S+ \S+ [1-9]/m);
  });
});
