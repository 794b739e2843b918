// Fault injection against a real helper process (docs/threat-model.md,
// failure modes): a full state disk, a compaction that fails half-way, a
// snapshot cut short or emptied, a full runtime directory. After each, the
// helper is killed with SIGKILL and started again, and no pool address it
// acknowledged before may be handed to another peer: a double hand-out is
// worse than a refusal (docs/mapping-lifecycle.md, Persistence).
import { describe, expect, it } from 'vitest';
import { doubleHandOuts, inMountNs, mountNsMissing } from '../support/fault-ns.js';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const V4 = /^\d+\.\d+\.\d+\.\d+$/;
const okOnly = (answers: Map<number, string>) => new Map([...answers].filter(([, a]) => V4.test(a)));

describe('a helper whose files fail', skipWhen(mountNsMissing), () => {
  it('refuses new mappings on a full state disk instead of acknowledging them unsaved, and takes them up again when space returns', async () => {
    const r = await inMountNs(String.raw`
mount -t tmpfs -o size=40k,mode=0700 tmpfs "$STATE"
helper_start
ask before 1 1200
ask known 1 5
echo "RESULT full-log $(grep -c 'cannot write' "$D/helper.log")"
helper_kill
helper_start # on the disk still full
ask still 1 1200
mount -t tmpfs -o remount,size=8m tmpfs "$STATE"
for _ in $(seq 50); do ask probe 2000 2000 | grep -q ' 198\.' && break; sleep 0.1; done
ask probe 2000 2000 # known by now: printed
ask room 2001 2010
helper_kill
helper_start # new peers first: a helper that forgot would give them the lost addresses
ask after 3001 3300
ask again 1 1200`);
    expect(r.stdout).toMatch(/^RESULT start 0$/m);
    const before = r.answers('before');
    const acked = okOnly(before);
    expect(acked.size, r.stdout).toBeGreaterThan(10);
    // The disk filled up: the rest were refused, each with TRY_AGAIN, and
    // the failure was logged once, not once per request.
    expect(acked.size).toBeLessThan(1200);
    expect([...before.values()].filter((a) => !V4.test(a))).toEqual(Array(1200 - acked.size).fill('TryAgain'));
    expect(r.stdout).toMatch(/^RESULT full-log 1$/m);
    // Mappings already saved are still served on the full disk.
    for (const [peer, v4] of r.answers('known')) expect(v4).toBe(acked.get(peer) ?? 'TryAgain');
    // Restarted on the full disk: the saved mappings, and new ones only as
    // far as their lines still fit.
    const still = r.answers('still');
    expect(still.size).toBe(1200);
    for (const [peer, v4] of acked) expect(still.get(peer), `peer ${peer}`).toBe(v4);
    expect([...still.values()]).toContain('TryAgain');
    expect(doubleHandOuts(acked, still)).toEqual([]);
    // With room again, new mappings are handed out without a restart.
    const room = r.answers('room');
    expect([...room.values()].every((a) => V4.test(a)), r.stdout).toBe(true);
    expect(r.logged(/can be written again/)).toBe(1);
    const all = new Map([...acked, ...okOnly(still), ...room, ...okOnly(r.answers('probe'))]);
    expect(doubleHandOuts(all, r.answers('again'))).toEqual([]);
    expect(doubleHandOuts(all, r.answers('after'))).toEqual([]);
    for (const [peer, v4] of all) expect(r.answers('again').get(peer) ?? v4, `peer ${peer}`).toBe(v4);
  });

  it('keeps serving when its own log is on the full state disk, as for a helper bia run started', async () => {
    const r = await inMountNs(String.raw`
mount -t tmpfs -o size=40k,mode=0700 tmpfs "$STATE"
LOG="$STATE/helper.log"
helper_start
ask before 1 1200
helper_kill
helper_start # on the disk still full: its log lines do not fit either
ask still 1 1200
echo "RESULT alive $(kill -0 "$HELPER" 2>/dev/null && echo 0 || echo 1)"
mount -t tmpfs -o remount,size=8m tmpfs "$STATE"
for _ in $(seq 50); do ask probe 2000 2000 | grep -q ' 198\.' && break; sleep 0.1; done
ask probe 2000 2000
echo "RESULT logs-again $(grep -c 'can be written again' "$LOG")"
helper_kill
helper_start
ask after 3001 3300
ask again 1 1200`);
    expect(r.stdout).not.toMatch(/^RESULT start 1$/m);
    expect(r.stdout).toMatch(/^RESULT alive 0$/m);
    const acked = okOnly(r.answers('before'));
    expect(acked.size, r.stdout).toBeGreaterThan(10);
    expect(acked.size).toBeLessThan(1200);
    const still = r.answers('still');
    for (const [peer, v4] of acked) expect(still.get(peer), `peer ${peer}`).toBe(v4);
    expect(r.answers('probe').get(2000)).toMatch(V4);
    expect(r.stdout).toMatch(/^RESULT logs-again 1$/m);
    const all = new Map([...acked, ...okOnly(still), ...okOnly(r.answers('probe'))]);
    expect(doubleHandOuts(all, r.answers('after'))).toEqual([]);
    expect(doubleHandOuts(all, r.answers('again'))).toEqual([]);
  });

  it('keeps a consistent snapshot and journal when a compaction fails after writing the new snapshot', async () => {
    // The compaction at start-up writes a new snapshot, then a new journal.
    // The tmpfs has an inode left for one of the two only (the old snapshot,
    // held open here, keeps its inode after the new one replaces it).
    const r = await inMountNs(String.raw`
mount -t tmpfs -o size=8m,mode=0700 tmpfs "$STATE"
helper_start
ask before 1 50
helper_kill
exec 3<"$STATE/mappings.snapshot"
used=$(df --output=iused "$STATE" | tail -1)
mount -t tmpfs -o remount,nr_inodes=$((used + 1)) tmpfs "$STATE"
helper_start
echo "RESULT compaction-failed $(grep -c 'cannot compact' "$D/helper.log")"
exec 3<&-
mount -t tmpfs -o remount,nr_inodes=1000 tmpfs "$STATE"
ask during 51 100
helper_kill
helper_start
ask after 101 300
ask again 1 100`);
    expect(r.stdout).toMatch(/^RESULT start 0$/m);
    expect(r.stdout).toMatch(/^RESULT compaction-failed 1$/m);
    const acked = new Map([...okOnly(r.answers('before')), ...okOnly(r.answers('during'))]);
    expect(acked.size, r.stdout).toBe(100);
    expect(doubleHandOuts(acked, r.answers('after'))).toEqual([]);
    expect(r.answers('again')).toEqual(new Map([...acked].map(([peer, v4]) => [peer, v4])));
  });

  for (const [what, cut] of [
    ['cut mid-line', 'truncate -s $(( $(stat -c %s "$F") / 2 + 7 )) "$F"'],
    ['cut at a line boundary', 'head -n 20 "$F" >"$F.cut" && mv "$F.cut" "$F"'],
    ['empty', ': >"$F"'],
  ]) {
    it(`treats a snapshot ${what} as damage: no address it held is handed to another peer`, async () => {
      const r = await inMountNs(String.raw`
helper_start
ask before 1 50
helper_kill
helper_start # folds the journal into the snapshot
helper_kill
F="$STATE/mappings.snapshot"
${cut}
: >"$STATE/mappings.snapshot.tmp" # what a compaction killed half-way leaves
helper_start
ask after 51 150
ask again 1 50
echo "RESULT tmp-left $(ls "$STATE" | grep -c '\.tmp$')"`);
      expect(r.stdout).toMatch(/^RESULT start 0$/m);
      const acked = okOnly(r.answers('before'));
      expect(acked.size, r.stdout).toBe(50);
      expect(doubleHandOuts(acked, r.answers('after'))).toEqual([]);
      expect(doubleHandOuts(acked, r.answers('again'))).toEqual([]);
      expect(r.logged(/mappings\.snapshot is damaged/)).toBe(1);
      // The refusal says why: not a full pool.
      expect(r.logged(/saved mappings were damaged/)).toBe(1);
      expect(r.logged(/every address in use/)).toBe(0);
      expect(r.stdout).toMatch(/^RESULT tmp-left 0$/m);
    });
  }

  it('serves without a published table on a full runtime directory, across restarts, instead of dying of SIGBUS', async () => {
    const r = await inMountNs(String.raw`
mount -t tmpfs -o size=16k,mode=0700 tmpfs "$RUN"
cat /dev/zero >"$RUN/filler" 2>/dev/null # the runtime directory is full
helper_start
ask first 1 20
helper_kill
helper_start
ask second 21 40
echo "RESULT alive $(kill -0 "$HELPER" 2>/dev/null && echo 0 || echo 1)"
echo "RESULT table-left $(ls "$RUN" | grep -c '\.map')"
# A program's preload asks the helper instead of reading the table.
BIA_SOCKET="$SOCK" BIA_ALLOW_ROOT=1 XDG_STATE_HOME="$D/state" node "$BIA_ROOT/dist/cli/main.js" run -- \
  python3 -c 'import socket; print("program", socket.getaddrinfo("2001:db8:99::77", 80, socket.AF_INET)[0][4][0])'`);
    expect(r.stdout).not.toMatch(/^RESULT start 1$/m);
    expect(r.stdout).toMatch(/^RESULT alive 0$/m);
    expect([...r.answers('first').values(), ...r.answers('second').values()].every((a) => V4.test(a)), r.stdout).toBe(true);
    expect(r.logged(/cannot publish the mapping table/)).toBe(2); // once per helper
    expect(r.stdout).toMatch(/^RESULT table-left 0$/m);
    expect(r.stdout).toMatch(/^program 198\.1[89]\.\d+\.\d+$/m);
  });

  it('keeps writing a published table made before the runtime directory filled up', async () => {
    const r = await inMountNs(String.raw`
mount -t tmpfs -o size=4m,mode=0700 tmpfs "$RUN"
helper_start
cat /dev/zero >"$RUN/filler" 2>/dev/null # full now, the table made before
ask full 1 600
echo "RESULT alive $(kill -0 "$HELPER" 2>/dev/null && echo 0 || echo 1)"
echo "RESULT table $(ls "$RUN" | grep -c '\.map$')"
BIA_SOCKET="$SOCK" BIA_ALLOW_ROOT=1 XDG_STATE_HOME="$D/state" node "$BIA_ROOT/dist/cli/main.js" run -- \
  python3 -c 'import socket; print("program", socket.getaddrinfo("2001:db8:99::599", 80, socket.AF_INET)[0][4][0])'`);
    expect(r.stdout).toMatch(/^RESULT start 0$/m);
    expect(r.stdout).toMatch(/^RESULT alive 0$/m);
    const full = r.answers('full');
    expect([...full.values()].every((a) => V4.test(a)), r.stdout).toBe(true);
    expect(r.stdout).toMatch(/^RESULT table 1$/m);
    expect(r.stdout).toContain(`program ${full.get(599)}`);
  });
});

// The lab's mount namespace takes the tmpfs too: a real program, through
// the preload, against a helper that cannot save a new mapping.
describe('a program whose helper cannot save new mappings', skipWhen(labMissing), () => {
  it('has an IPv6 client turned away at accept (EADDRNOTAVAIL) and a new literal refused (EAI_AGAIN), not shown an unsaved address', async () => {
    const r = await lab(String.raw`export LAB_PEER_PID
mkdir -p -m 0700 "$XDG_STATE_HOME/bia"
mount -t tmpfs -o size=16k,mode=0700 tmpfs "$XDG_STATE_HOME/bia"
cat /dev/zero >"$XDG_STATE_HOME/bia/filler" 2>/dev/null # the state disk is full
cat >"$LAB_DIR/server.py" <<'PY'
import errno, os, socket, subprocess
env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
srv = socket.socket(socket.AF_INET)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 9090))
srv.listen(5)
srv.settimeout(5)
c = subprocess.Popen(["nsenter", "--net=/proc/%s/ns/net" % env["LAB_PEER_PID"], "socat", "-u", "-",
                      "TCP6:[2001:db8:1::1]:9090,bind=[2001:db8:1::3]"], stdin=subprocess.DEVNULL, env=env)
try:
    conn, addr = srv.accept()
    print("accept", addr[0], flush=True)
except OSError as e:
    print("accept", errno.errorcode.get(e.errno, e), flush=True)
c.wait()
try:
    print("literal", socket.getaddrinfo("2001:db8:77::1", 80, socket.AF_INET)[0][4][0], flush=True)
except socket.gaierror as e:
    print("literal", "EAI_AGAIN" if e.errno == socket.EAI_AGAIN else e, flush=True)
PY
bia run -- python3 "$LAB_DIR/server.py"; echo "RESULT server $?"`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('server'), out).toBe(0);
    expect(r.stdout, out).toMatch(/^accept EADDRNOTAVAIL$/m);
    expect(r.stdout, out).toMatch(/^literal EAI_AGAIN$/m);
  });
});
