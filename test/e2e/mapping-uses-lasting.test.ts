// End to end: mapping uses that outlive what the first reports covered
// (docs/mapping-lifecycle.md, Uses): a helper killed with SIGKILL and
// started again still holds the mapping of a connection that stayed open;
// a child started by posix_spawn or vfork + exec announces the socket it
// inherited, so the parent's close does not end the use; close_range ends
// the use of the sockets it closes; and a process reports a mapping once,
// however many sockets use it.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { FILL_POOL } from '../support/pool-fill.js';

// 6 usable addresses (198.18.0.1-6); without a use, the program's mapping
// would expire after 1 s idle and its address be reused 1.5 s after its
// last use. "helper" after the script lets bia status recognise it.
const HELPER = String.raw`start_helper() {
  node -e "
import('$BIA_ROOT/dist/helper/server.js').then(({ startHelper }) =>
  startHelper({ pool: '198.18.0.0/29', poolTtl: 1, quarantineMs: 1500, mappingIdleMs: 1000, sweepIntervalMs: 300, logLevel: 'debug' }));" helper 2>>"$LAB_DIR/helper.log" &
  HELPER_PID=$!
  lab_wait "the helper" test -S "$XDG_RUNTIME_DIR/bia/helper.sock"
}`;

// Prints "status-<label> <v4> <name> <in use>" for each mapping.
const STATUS = String.raw`show_status() {
  bia status --json >"$LAB_DIR/status.json" || echo "status-$1 failed"
  node -e "const s = require('$LAB_DIR/status.json'); if (!s.helper?.mappings) console.error(JSON.stringify(s));
    for (const m of s.helper?.mappings ?? []) console.log('status-$1', m.v4, m.name || '-', m.inUse)"
}
wait_for() { lab_wait "$1" test -e "$LAB_DIR/$1"; }`;

const out = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

describe('mapping uses that last', skipWhen(labMissing), () => {
  it('survive a kill -9 of the helper: the held address is never reused, and is once the program closes it', async () => {
    const r = await lab(`peer_serve_tcp 8080
${HELPER}
${FILL_POOL}
${STATUS}
export LAB_DIR
cat >"$LAB_DIR/hold.py" <<'PY'
import os, socket, time
addr = socket.gethostbyname("v6only.test")
s = socket.create_connection((addr, 8080), timeout=5)
print("holder", os.getpid(), addr, s.recv(200).decode().strip(), flush=True)
while not os.path.exists(os.path.join(os.environ["LAB_DIR"], "close")):
    time.sleep(0.05)
s.sendall(b"ping\\n")
print("holder still connected", flush=True)
s.close()
PY
start_helper
bia run -- python3 "$LAB_DIR/hold.py" >"$LAB_DIR/hold.out" &
HOLDER=$!
lab_wait "the holder" grep -q holder "$LAB_DIR/hold.out"
sleep 0.5   # the use is in the journal within 50 ms
kill -9 $HELPER_PID; wait $HELPER_PID 2>/dev/null
rm "$XDG_RUNTIME_DIR/bia/helper.sock"   # so that the wait is for the new helper
start_helper
show_status restarted
sleep 3     # far past the restored mapping's idle timeout and quarantine
node "$LAB_DIR/fill.mjs" 1 6 held:
touch "$LAB_DIR/close"; wait $HOLDER
cat "$LAB_DIR/hold.out"
show_status closed
sleep 3     # expired, and past the quarantine after the close
node "$LAB_DIR/fill.mjs" 7 12 released:
grep -E 'took back|RELEASE' "$LAB_DIR/helper.log" >&2`);
    expect(r.stdout, out(r)).toMatch(/^holder \d+ 198\.18\.0\.1 hello from the IPv6-only peer/m);
    expect(r.stdout, out(r)).toMatch(/^status-restarted 198\.18\.0\.1 v6only\.test 1$/m);
    expect(r.stderr, out(r)).toMatch(/took back the mapping uses of 1 process/);
    // Five free addresses go; the held one is not reused, so the sixth fails.
    expect(r.stdout, out(r)).toMatch(/^held: 198\.18\.0\.2 198\.18\.0\.3 198\.18\.0\.4 198\.18\.0\.5 198\.18\.0\.6 PoolExhausted$/m);
    expect(r.stdout, out(r)).toMatch(/^holder still connected$/m);
    // The program's RELEASE reached the new helper (at its exit, after the
    // close's linger); idle, the mapping expires and its address is reused.
    expect(r.stderr, out(r)).toMatch(/RELEASE 198\.18\.0\.1 from pid/);
    expect(r.stdout, out(r)).not.toMatch(/^status-closed 198\.18\.0\.1 \S+ [1-9]/m);
    const released = r.stdout.match(/^released: (.*)$/m)?.[1].split(' ');
    expect(released, out(r)).toContain('198.18.0.1');
    expect(released, out(r)).not.toContain('PoolExhausted');
  });

  it('follow a socket into children started by posix_spawn and by vfork + exec (subprocess)', async () => {
    const r = await lab(`peer_serve_tcp 8080
${HELPER}
${STATUS}
export LAB_DIR
cat >"$LAB_DIR/child.py" <<'PY'
import os, socket, sys, time
s = socket.socket(fileno=int(sys.argv[1]))
print(sys.argv[2], "child sees", s.getpeername()[0], flush=True)
while not os.path.exists(os.path.join(os.environ["LAB_DIR"], "go-" + sys.argv[2])):
    time.sleep(0.05)
s.sendall(b"ping\\n")
print(sys.argv[2], "child still connected", flush=True)
PY
cat >"$LAB_DIR/spawn.py" <<'PY'
import os, socket, subprocess, sys
how = sys.argv[1]
s = socket.create_connection((socket.gethostbyname("v6only.test"), 8080), timeout=5)
s.recv(200)
args = [sys.executable, os.path.join(os.environ["LAB_DIR"], "child.py"), str(s.fileno()), how]
if how == "spawn":
    os.set_inheritable(s.fileno(), True)
    os.posix_spawn(sys.executable, args, os.environ)
else:
    subprocess.Popen(args, pass_fds=[s.fileno()])
s.close()
print(how, "parent closed its copy", flush=True)
PY
start_helper
for how in spawn vfork; do
  bia run -- python3 "$LAB_DIR/spawn.py" $how >"$LAB_DIR/$how.out" &
  lab_wait "the $how parent" grep -q parent "$LAB_DIR/$how.out"
  lab_wait "the $how child" grep -q "child sees" "$LAB_DIR/$how.out"
  sleep 1.5   # the parent has exited and the helper's sweep noticed
  show_status $how
  touch "$LAB_DIR/go-$how"
  lab_wait "the $how child's ping" grep -q "still connected" "$LAB_DIR/$how.out"
  sleep 1
  show_status $how-done
  cat "$LAB_DIR/$how.out"
done
grep -E 'took up|USE|RELEASE' "$LAB_DIR/helper.log" >&2`);
    for (const how of ['spawn', 'vfork']) {
      const addr = r.stdout.match(new RegExp(`^${how} child sees (198\\.18\\.0\\.\\d)$`, 'm'))?.[1];
      expect(addr, out(r)).toBeDefined();
      // The parent closed its copy and ended: the child's own USE holds the mapping.
      expect(r.stdout, out(r)).toContain(`status-${how} ${addr} v6only.test 1`);
      expect(r.stdout, out(r)).toMatch(new RegExp(`^${how} child still connected$`, 'm'));
      expect(r.stdout, out(r)).not.toMatch(new RegExp(`^status-${how}-done \\S+ \\S+ [1-9]`, 'm'));
    }
  });

  it('end with close_range, and are reported once per process however many sockets use the mapping', async () => {
    const r = await lab(`peer_serve_tcp 8080
${HELPER}
${STATUS}
export LAB_DIR
cat >"$LAB_DIR/range.py" <<'PY'
import os, socket, time
def step(name):
    print("step", name, flush=True)
    while not os.path.exists(os.path.join(os.environ["LAB_DIR"], name)):
        time.sleep(0.05)
addr = socket.gethostbyname("v6only.test")
socks = [socket.create_connection((addr, 8080), timeout=5) for _ in range(3)]
step("three")
first, last = min(s.fileno() for s in socks), max(s.fileno() for s in socks)
assert last - first == 2, (first, last)
os.closerange(first, last + 1)   # close_range(first, last, 0)
for s in socks:
    s.detach()
time.sleep(1.2)                  # past the linger of the release
other_addr = [a for a in socket.gethostbyname_ex("multi.test")[2] if a != addr][0]   # the other peer
other = socket.create_connection((other_addr, 8080), timeout=5)
other.close()                    # a translated close sends what lingered
step("closed")
PY
start_helper
bia run -- python3 "$LAB_DIR/range.py" >"$LAB_DIR/range.out" &
RANGE=$!
lab_wait "three connections" grep -q "step three" "$LAB_DIR/range.out"
show_status three
touch "$LAB_DIR/three"
lab_wait "the close_range" grep -q "step closed" "$LAB_DIR/range.out"
show_status closed
touch "$LAB_DIR/closed"; wait $RANGE
cat "$LAB_DIR/range.out"
echo "uses $(grep -c 'USE 198.18.0.1 from' "$LAB_DIR/helper.log") releases $(grep -c 'RELEASE 198.18.0.1 from' "$LAB_DIR/helper.log")"
grep -E 'USE|RELEASE' "$LAB_DIR/helper.log" >&2`);
    const addr = r.stdout.match(/^status-three (198\.18\.0\.\d) v6only\.test 1$/m)?.[1];
    expect(addr, out(r)).toBe('198.18.0.1');
    // Released (and, idle, maybe expired already).
    expect(r.stdout, out(r)).not.toMatch(/^status-closed 198\.18\.0\.1 \S+ [1-9]/m);
    // Three sockets, one USE; close_range's release, one RELEASE.
    expect(r.stdout, out(r)).toMatch(/^uses 1 releases 1$/m);
  });

  it('include a socket bound to a pool address, held until it closes', async () => {
    const r = await lab(`${HELPER}
${FILL_POOL}
${STATUS}
export LAB_DIR
cat >"$LAB_DIR/bind.py" <<'PY'
import ipaddress, os, socket, struct, sys, time
# The pool address of this host's own IPv6 address, as a name of the host
# would get it: MAP6 (docs/protocol.md) straight to the helper.
helper = socket.socket(socket.AF_UNIX)
helper.connect(os.environ["XDG_RUNTIME_DIR"] + "/bia/helper.sock")
helper.sendall(struct.pack("!IBBHI", 24, 1, 4, 0, 1) + ipaddress.IPv6Address(sys.argv[1]).packed)
reply = helper.recv(100)
own = str(ipaddress.IPv4Address(reply[13:17]))
print("own address", own, flush=True)
s = socket.socket()
s.bind((own, 0))
s.listen()
print("bound", s.getsockname()[0], flush=True)
while not os.path.exists(os.path.join(os.environ["LAB_DIR"], "close")):
    time.sleep(0.05)
s.close()
print("closed", flush=True)
while not os.path.exists(os.path.join(os.environ["LAB_DIR"], "end")):
    time.sleep(0.05)
PY
start_helper
bia run -- python3 "$LAB_DIR/bind.py" "$LAB_HOST6" >"$LAB_DIR/bind.out" &
BOUND=$!
lab_wait "the bind" grep -q bound "$LAB_DIR/bind.out"
sleep 3   # far past the idle timeout and the quarantine
show_status bound
node "$LAB_DIR/fill.mjs" 1 6 held:
touch "$LAB_DIR/close"
lab_wait "the close" grep -q closed "$LAB_DIR/bind.out"
sleep 1.5 # the release's linger
touch "$LAB_DIR/end"; wait $BOUND
cat "$LAB_DIR/bind.out"
grep -E 'USE|RELEASE' "$LAB_DIR/helper.log" >&2`);
    const addr = r.stdout.match(/^own address (198\.18\.0\.\d)$/m)?.[1];
    expect(addr, out(r)).toBeDefined();
    expect(r.stdout, out(r)).toContain(`bound ${addr}`);
    expect(r.stdout, out(r)).toContain(`status-bound ${addr} - 1`);
    expect(r.stdout, out(r)).toMatch(/^held: (198\.18\.0\.\d ){5}PoolExhausted$/m);
    expect(r.stdout.match(/^held: .*$/m)?.[0], out(r)).not.toContain(addr);
    expect(r.stderr, out(r)).toContain(`USE ${addr} from pid`);
    expect(r.stderr, out(r)).toContain(`RELEASE ${addr} from pid`);
  });
});
