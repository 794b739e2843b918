// End to end: a busy helper is a helper. Thousands of bia run at once, and
// bia run while the helper cannot take a connection at all (stopped with
// SIGSTOP, its backlog filled), must each run their command exactly once,
// wait for the helper rather than take it for none, and never start a
// second helper beside it.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

// The helpers bia started for the lab's socket (bia run starts them with --socket).
const COUNT = String.raw`SOCK="$XDG_RUNTIME_DIR/bia/helper.sock"
helpers() {
  local n=0 p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "helper --socket $SOCK" && n=$((n + 1))
  done
  echo $n
}
M="$LAB_DIR/markers"; : >"$M"
check() {  # NAME FIRST LAST: every command FIRST..LAST wrote its marker exactly once
  echo "MISSING $1 $(seq "$2" "$3" | sort | comm -23 - <(sort "$M") | wc -l)"
  echo "TWICE $1 $(sort "$M" | uniq -d | wc -l)"
  echo "HELPERS $1 $(helpers)"
}`;

function count(stdout: string, what: string, name: string): number {
  const m = stdout.match(new RegExp(`^${what} ${name} (\\d+)$`, 'm'));
  if (!m) throw new Error(`no ${what} ${name} in\n${stdout}`);
  return Number(m[1]);
}

describe('many bia run at once', skipWhen(labMissing), () => {
  it('2,000 at once against a live helper, and more while it is stopped: each command once, one helper', async () => {
    const r = await lab(
      String.raw`${COUNT}
bia run -- true; echo "RESULT first $?"
HELPER=$(pgrep -f -- "helper --socket $SOCK")
start=$(date +%s)
# All 2,000 start at once: each waits for a lock the test holds until every one is forked.
exec 9>"$LAB_DIR/go"; flock -x 9
RUNS=()   # the lab's own background processes (its DNS server) are not waited for
for i in $(seq 1 2000); do
  { flock -s "$LAB_DIR/go" true; bia run -- sh -c "echo $i >>'$M'"; } 2>>"$LAB_DIR/burst.err" 9>&- & RUNS+=($!)
done
sleep 1; flock -u 9; exec 9>&-
wait "${'$'}{RUNS[@]}"
echo "BURST SECONDS $(( $(date +%s) - start ))"
check burst 1 2000
# The helper stopped: its backlog fills, nobody answers; then it goes on.
kill -STOP $HELPER
RUNS=()
# First with the backlog full and no published table, so the native launcher must ask (and wait).
python3 -c 'import socket, sys, time
held = []
while True:
    s = socket.socket(socket.AF_UNIX); s.setblocking(False)
    try: s.connect(sys.argv[1]); held.append(s)
    except BlockingIOError: break
open(sys.argv[2], "w").close(); time.sleep(60)' "$SOCK" "$LAB_DIR/full" &
FILL=$!
lab_wait "a full backlog" test -e "$LAB_DIR/full"
mv "$SOCK.map" "$LAB_DIR/table"
for i in $(seq 5001 5020); do bia run --log-level debug -- sh -c "echo $i >>'$M'" 2>>"$LAB_DIR/asking.err" & RUNS+=($!); done
sleep 1
mv "$LAB_DIR/table" "$SOCK.map"
kill $FILL; wait $FILL 2>/dev/null
for i in $(seq 3001 3700); do bia run -- sh -c "echo $i >>'$M'" 2>>"$LAB_DIR/stopped.err" & RUNS+=($!); done
for i in $(seq 4001 4020); do node "$BIA_ROOT/dist/cli/main.js" run -- sh -c "echo $i >>'$M'" 2>>"$LAB_DIR/stopped.err" & RUNS+=($!); done
sleep 3
kill -CONT $HELPER
wait "${'$'}{RUNS[@]}"
check stopped-launcher 3001 3700
check stopped-node 4001 4020
check stopped-asking 5001 5020
echo "SAME HELPER $(helpers) $(kill -0 $HELPER && echo alive)"
echo "BURST ERRORS $(grep -c . "$LAB_DIR/burst.err")"; head -3 "$LAB_DIR/burst.err"
echo "STOPPED ERRORS $(grep -c . "$LAB_DIR/stopped.err")"; head -3 "$LAB_DIR/stopped.err"
echo "ASKED DIRECTLY $(grep -c 'launcher: helper on .* answered; running sh directly' "$LAB_DIR/asking.err")"
echo "INTERNAL ERRORS $(grep -c "internal error" "$XDG_STATE_HOME/bia/helper.log")"
kill $HELPER; wait_gone() { while kill -0 $HELPER 2>/dev/null; do sleep 0.1; done; }; wait_gone`,
      { timeoutMs: 150_000 },
    );
    const out = `${r.stdout}\n${r.stderr}`.slice(-6000);
    expect(r.rc('first'), out).toBe(0);
    for (const phase of ['burst', 'stopped-launcher', 'stopped-node', 'stopped-asking']) {
      expect(count(r.stdout, 'MISSING', phase), `${phase}\n${out}`).toBe(0);
      expect(count(r.stdout, 'TWICE', phase), `${phase}\n${out}`).toBe(0);
      expect(count(r.stdout, 'HELPERS', phase), `${phase}\n${out}`).toBe(1);
    }
    expect(r.stdout, out).toMatch(/^SAME HELPER 1 alive$/m);
    expect(r.stdout, out).toMatch(/^BURST ERRORS 0$/m);
    expect(r.stdout, out).toMatch(/^STOPPED ERRORS 0$/m);
    expect(r.stdout, out).toMatch(/^INTERNAL ERRORS 0$/m);
    // The native launcher itself waited for the busy helper, not the Node launcher.
    expect(r.stdout, out).toMatch(/^ASKED DIRECTLY 20$/m);
  }, 180_000);
});
