// End to end: a fresh program connecting to a pool address another program
// resolved reads the mapping from the helper's published table (no MAP4
// round trip), and once the mapping is past its time the table is not
// believed: the program asks, the helper answers NOT_FOUND and the connect
// fails cleanly (docs/protocol.md, "The published table").
import { describe, expect, it } from 'vitest';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { runInLab } from '../../src/lab/lab.js';

// Mappings expire 3 s after their last use (pool ttl 1 s): long enough for
// a fresh python3 to start on a busy machine (the table keeps whole
// seconds, rounded down), short enough to wait out. The quarantine is long,
// so no address is handed out again during the test.
const START_HELPER = String.raw`node -e "
import('$BIA_ROOT/dist/helper/server.js').then(({ startHelper }) =>
  startHelper({ pool: '198.18.0.0/29', poolTtl: 1, mappingIdleMs: 3000, quarantineMs: 60000, logLevel: 'debug' }));" helper 2>"$LAB_DIR/helper.log" &
lab_wait "the helper" test -S "$XDG_RUNTIME_DIR/bia/helper.sock"`;

const CONNECT = String.raw`import socket, sys
try:
    s = socket.create_connection((sys.argv[1], 8080), timeout=3)
    print("greeting", s.recv(200).decode().strip())
except OSError as e:
    print("error", e.errno, e.strerror)`;

describe("the helper's published table", skipWhen(labMissing), () => {
  it('answers a fresh process without a round trip, and not past a mapping\'s time', async () => {
    const r = await runInLab(String.raw`peer_serve_tcp 8080
${START_HELPER}
# The socket listens before the saved mappings are read back; the table
# follows them (a program in between just asks).
lab_wait "the published table" test -f "$XDG_RUNTIME_DIR/bia/helper.sock.map"
ls -l "$XDG_RUNTIME_DIR/bia/helper.sock.map" | cut -c1-10
ADDR=$(bia run -- python3 -c 'import socket; print(socket.gethostbyname("v6only.test"))')
echo "resolved $ADDR"
bia run -- python3 -c '${CONNECT}' "$ADDR"
echo "MAP4 fresh $(grep -c 'MAP4' "$LAB_DIR/helper.log")"
sleep 4.5   # past the idle timeout since the fresh process's use ended
bia run -- python3 -c '${CONNECT}' "$ADDR"
echo "MAP4 stale $(grep -c 'MAP4 .* -> ' "$LAB_DIR/helper.log")"
grep 'MAP4' "$LAB_DIR/helper.log" >&2`);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.stdout, out).toMatch(/^-rw-------$/m);
    expect(r.stdout, out).toMatch(/^resolved 198\.18\.0\.\d$/m);
    expect(r.stdout, out).toMatch(/^greeting hello from the IPv6-only peer/m);
    expect(r.stdout, out).toContain('MAP4 fresh 0');
    // Past its time: asked for, refused, failed as an unknown pool address does.
    expect(r.stdout, out).toMatch(/^error 113 No route to host$/m);
    expect(r.stdout, out).toContain('MAP4 stale 1');
    expect(r.stderr, out).toMatch(/MAP4 198\.18\.0\.\d -> NotFound/);
  });
});
