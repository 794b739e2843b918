// End to end: a small pool with more peers than addresses. Mappings used
// within the quarantine are never taken; idle ones are reused, least
// recently used first, once their quarantine is over
// (docs/mapping-lifecycle.md).
import { describe, expect, it } from 'vitest';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { runInLab } from '../../src/lab/lab.js';

const QUARANTINE_MS = 3000;

// A helper with 6 usable addresses (198.18.0.1-6), a short quarantine and a
// shorter pool ttl (an address is never reused before its clients' ttl ends).
const START_HELPER = String.raw`node --input-type=module -e "
import { startHelper } from '$BIA_ROOT/dist/helper/server.js';
await startHelper({ pool: '198.18.0.0/29', poolTtl: 1, quarantineMs: ${QUARANTINE_MS}, mappingIdleMs: 60000 });" 2>"$LAB_DIR/helper.log" &
lab_wait "the helper" test -S "$XDG_RUNTIME_DIR/bia/helper.sock"`;

describe('a full pool', skipWhen(labMissing), () => {
  it('never takes a mapping in use within its quarantine, and reuses idle ones after it', async () => {
    const r = await runInLab(`peer_serve_tcp 8080
${START_HELPER}
PROGRAM_ADDR=$(bia run -- python3 -c 'import socket; print(socket.gethostbyname("v6only.test"))')
echo "program $PROGRAM_ADDR"
cat >"$LAB_DIR/driver.mjs" <<JS
import { request } from '$BIA_ROOT/dist/client.js';
import { MsgType, Status } from '$BIA_ROOT/dist/wire/messages.js';
const socket = process.env.XDG_RUNTIME_DIR + '/bia/helper.sock';
const program = process.argv[2];
const show = (what, r) => console.log(what, r.entry ? r.entry.v4 + '=' + r.entry.v6 : Status[r.status]);
const map6 = async (i) => show('map ' + i, await request(socket, { type: MsgType.Map6, id: i, v6: '2001:db8:99::' + i }));
const map4 = async (v4) => show('lookup ' + v4, await request(socket, { type: MsgType.Map4, id: 0, v4 }));
// The program's mapping is used again first, so that the time node takes
// to start on a busy machine cannot age it past its quarantine.
await map4(program);
for (let i = 1; i <= 6; i++) await map6(i);
await new Promise((done) => setTimeout(done, ${QUARANTINE_MS} + 300));
await map4(program);
for (let i = 7; i <= 9; i++) await map6(i);
await map4(program);
JS
node "$LAB_DIR/driver.mjs" "$PROGRAM_ADDR"
bia run -- python3 -c "import socket; s = socket.create_connection(('$PROGRAM_ADDR', 8080), timeout=3); print('greeting', s.recv(200).decode().strip())"
echo "RESULT connect $?"
cat "$LAB_DIR/helper.log" >&2`);
    const out = `${r.stdout}\n${r.stderr}`;
    const program = r.stdout.match(/^program (198\.18\.0\.\d)$/m)?.[1];
    expect(program, out).toBe('198.18.0.1');
    const line = (what: string) => r.stdout.match(new RegExp(`^${what} (.*)$`, 'm'))?.[1];
    // Five peers fill the pool; the sixth finds every address within its quarantine.
    expect([1, 2, 3, 4, 5].map((i) => line(`map ${i}`)?.split('=')[0]), out).toEqual(['198.18.0.2', '198.18.0.3', '198.18.0.4', '198.18.0.5', '198.18.0.6']);
    expect(line('map 6'), out).toBe('PoolExhausted');
    // After the quarantine the least recently used idle mappings give way;
    // the program's, used again just before, does not.
    expect([7, 8, 9].map((i) => line(`map ${i}`)), out).toEqual(['198.18.0.2=2001:db8:99::7', '198.18.0.3=2001:db8:99::8', '198.18.0.4=2001:db8:99::9']);
    expect(r.stdout.match(/^lookup .*$/gm), out).toEqual(Array(3).fill('lookup 198.18.0.1 198.18.0.1=2001:db8:1::2'));
    expect(r.stdout, out).toMatch(/^RESULT connect 0$/m);
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
    expect(r.stderr).toMatch(/pool full: reusing 198\.18\.0\.2/);
  });
});
