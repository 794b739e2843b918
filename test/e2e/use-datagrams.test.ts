// End to end: a program's USE and RELEASE reach the helper as datagrams
// (docs/protocol.md, "Reports as datagrams"), so a fresh process that only
// connects to a peer the published table maps never connects to the
// helper; and with the helper stopped or killed, programs neither wait nor
// fail, and reports that do not fit in the datagram queue go on a
// connection as before, so none is lost.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

// A debug helper: it logs every report with the pid it counts it for.
const START_HELPER = String.raw`export LIB="$BIA_ROOT/build/Release/libbia.so" SOCK="$XDG_RUNTIME_DIR/bia/helper.sock"
node -e "
import('$BIA_ROOT/dist/helper/server.js').then(({ startHelper }) => startHelper({ logLevel: 'debug' }));" helper 2>"$LAB_DIR/helper.log" &
HELPER=$!
lab_wait "the helper" test -S "$SOCK.use"
# The peer's mapping, made by another program (the table then has it).
ADDR=$(bia run -- python3 -c 'import socket; print(socket.gethostbyname("v6only.test"))')
echo "addr $ADDR"
sleep 0.5   # that program's connection has ended, and been logged
# A fresh process as the bench runs it: the pool address as a literal, no
# launcher; it connects, reads the greeting, prints its pid, and holds the
# connection until $LAB_DIR/$1 exists (none given: it ends at once).
first_use() {
  local hold=""
  [ -n "$1" ] && hold="$LAB_DIR/$1"
  LD_PRELOAD="$LIB" BIA_SOCKET="$SOCK" timeout 5 python3 -c '
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], 8080), timeout=3)
print("program", os.getpid(), s.recv(100).decode().strip(), flush=True)
while sys.argv[2] and not os.path.exists(sys.argv[2]):
    time.sleep(0.05)' "$ADDR" "$hold"
}`;

describe('use reports as datagrams', skipWhen(labMissing), () => {
  it("a fresh process's first use is held without a connection to the helper", async () => {
    const r = await lab(`peer_serve_tcp 8080
${START_HELPER}
first_use done >"$LAB_DIR/one.out" &
PROGRAM=$!
lab_wait "the program" grep -q program "$LAB_DIR/one.out"
# Its sockets past stdio: its TCP connection, and none to the helper (a stream
# connection would be kept open for its next report).
pid=$(awk '/^program/ {print $2}' "$LAB_DIR/one.out")
echo "sockets $(ls -l /proc/$pid/fd | awk '$9 > 2 && /socket:/' | wc -l)"
bia status --json >"$LAB_DIR/status.json"; echo "RESULT status $?"
node -e "for (const m of require('$LAB_DIR/status.json').helper.mappings) console.log('status', m.v4, m.inUse)"
touch "$LAB_DIR/done"; wait $PROGRAM; echo "RESULT one $?"
cat "$LAB_DIR/one.out"
sleep 0.5
grep -E 'USE|RELEASE' "$LAB_DIR/helper.log" | sed 's/^.*: //'
cat "$LAB_DIR/helper.log" >&2`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('one'), out).toBe(0);
    const addr = (r.stdout.match(/^addr (198\.18\.\d+\.\d+)$/m)?.[1] ?? '').replace(/\./g, '\\.');
    const pid = r.stdout.match(/^program (\d+) hello from the IPv6-only peer/m)?.[1];
    expect(addr && pid, out).toBeTruthy();
    // Its use, counted for its pid, holds the mapping; it made no connection of its own.
    expect(r.stdout, out).toMatch(new RegExp(`^USE ${addr}.* from pid ${pid}$`, 'm'));
    expect(r.stdout, out).toMatch(/^sockets 1$/m);
    expect(r.rc('status'), out).toBe(0);
    expect(r.stdout, out).toMatch(new RegExp(`^status ${addr} 1$`, 'm'));
    // And its release at exit too.
    expect(r.stdout, out).toMatch(new RegExp(`^RELEASE ${addr}.* from pid ${pid}$`, 'm'));
  });

  it('with the helper stopped, then killed, programs go on at once; a full datagram queue loses nothing', async () => {
    const r = await lab(`peer_serve_tcp 8080
${START_HELPER}
# Two datagrams fill this network namespace's queue: the rest go on connections.
sysctl -qw net.unix.max_dgram_qlen=2; echo "RESULT qlen $?"
# What one such program takes with the helper running, for comparison.
start=$(date +%s%N)
first_use >/dev/null; echo "RESULT running $?"
echo "running_ms $(( ($(date +%s%N) - start) / 1000000 ))"
kill -STOP $HELPER
start=$(date +%s%N)
for i in 1 2 3 4; do first_use; echo "RESULT stopped$i $?"; done
echo "stopped_ms $(( ($(date +%s%N) - start) / 1000000 ))"
kill -CONT $HELPER
sleep 1
kill -9 $HELPER; wait $HELPER 2>/dev/null
start=$(date +%s%N)
first_use; echo "RESULT gone $?"
echo "gone_ms $(( ($(date +%s%N) - start) / 1000000 ))"
grep -E 'USE' "$LAB_DIR/helper.log" | sed 's/^.*: //'
cat "$LAB_DIR/helper.log" >&2`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('qlen'), out).toBe(0);
    for (const i of [1, 2, 3, 4]) expect(r.rc(`stopped${i}`), out).toBe(0);
    expect(r.rc('gone'), out).toBe(0);
    // Nothing waited for the helper: far less than its 800 ms timeout more than with it running.
    const ms = (what: string) => Number(r.stdout.match(new RegExp(`^${what}_ms (\\d+)$`, 'm'))?.[1]);
    expect(r.rc('running'), out).toBe(0);
    expect(ms('stopped') / 4, out).toBeLessThan(ms('running') + 500);
    expect(ms('gone'), out).toBeLessThan(ms('running') + 500);
    // Every stopped-time program's use reached the helper once it ran again.
    const pids = [...r.stdout.matchAll(/^program (\d+) hello/gm)].map((m) => m[1]);
    expect(pids, out).toHaveLength(5);
    for (const pid of pids.slice(0, 4)) expect(r.stdout, out).toMatch(new RegExp(`^USE .* from pid ${pid}$`, 'm'));
  });

  it('a use socket the helper socket\'s rules refuse (here a symbolic link) gets nothing; the use goes on a connection', async () => {
    const r = await lab(`peer_serve_tcp 8080
${START_HELPER}
# A spy's datagram socket, and the use socket's path made a link to it.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(3)
print("spy ready", flush=True)
try:
    print("spy got", s.recv(4096).hex(), flush=True)
except socket.timeout:
    print("spy got nothing", flush=True)' "$LAB_DIR/spy.sock" >"$LAB_DIR/spy.out" &
SPY=$!
lab_wait "the spy" grep -q ready "$LAB_DIR/spy.out"
mv "$SOCK.use" "$LAB_DIR/use.sock"; ln -s "$LAB_DIR/spy.sock" "$SOCK.use"
first_use; echo "RESULT one $?"
wait $SPY; cat "$LAB_DIR/spy.out"
grep -E 'USE' "$LAB_DIR/helper.log" | sed 's/^.*: //'
cat "$LAB_DIR/helper.log" >&2`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('one'), out).toBe(0);
    expect(r.stdout, out).toMatch(/^spy got nothing$/m);
    const pid = r.stdout.match(/^program (\d+) hello/m)?.[1];
    expect(r.stdout, out).toMatch(new RegExp(`^USE .* from pid ${pid}$`, 'm'));
  });
});
