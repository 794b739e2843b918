// A lab script fragment shared by the mapping-use tests: writes
// $LAB_DIR/fill.mjs, which maps fresh IPv6 peers 2001:db8:99::FROM..TO
// through MAP6 and prints LABEL and each answer (the IPv4 address, or the
// status that refused it), so a test sees where the pool said no.
export const FILL_POOL = String.raw`cat >"$LAB_DIR/fill.mjs" <<JS
import { request } from '$BIA_ROOT/dist/client.js';
import { MsgType, Status } from '$BIA_ROOT/dist/wire/messages.js';
const socket = process.env.XDG_RUNTIME_DIR + '/bia/helper.sock';
const [from, to] = process.argv.slice(2).map(Number);
const out = [];
for (let i = from; i <= to; i++) {
  const r = await request(socket, { type: MsgType.Map6, id: i, v6: '2001:db8:99::' + i });
  out.push(r.entry ? r.entry.v4 : Status[r.status]);
}
console.log(process.argv[4], out.join(' '));
JS`;
