// End to end: another local user tries to take over a user's bia by making
// the fallback socket's directory ($TMPDIR/bia-UID, when XDG_RUNTIME_DIR is
// unset) first: (a) a directory of the attacker's with a socket forwarding
// to the attacker's own bia helper, (b) a symbolic link to such a
// directory. The victim's bia run (native launcher and Node), bia status
// and a preloaded program each refuse in one line that names the path, the
// owner found and the fix, exit non-zero, and never send the attacker a
// byte. A helper that refuses to start says why in one line too.
// Real second and third users (setpriv), as CI runs the tests.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { ATTACKER, VICTIM, secondUidMissing } from '../support/second-uid.js';
import { skipWhen } from '../support/skip.js';

const SETUP = String.raw`VICTIM=${VICTIM} ATTACKER=${ATTACKER}
chmod 0711 "$LAB_DIR"
T="$LAB_DIR/tmp"; mkdir -m 1777 "$T"   # the shared temporary directory, as /tmp
for u in $VICTIM $ATTACKER; do
  mkdir -p "$LAB_DIR/u$u/state" "$LAB_DIR/u$u/config" "$LAB_DIR/u$u/run"
  chmod 0700 "$LAB_DIR/u$u/run"; chown -R $u:$u "$LAB_DIR/u$u"
done
as_user() {  # UID CMD...: with no XDG_RUNTIME_DIR, so the socket is $TMPDIR/bia-UID/helper.sock
  local uid=$1 h="$LAB_DIR/u$1"; shift
  setpriv --reuid=$uid --regid=$uid --clear-groups env -u BIA_ALLOW_ROOT -u XDG_RUNTIME_DIR HOME="$h" \
    XDG_STATE_HOME="$h/state" XDG_CONFIG_HOME="$h/config" TMPDIR="$T" "$@"
}
NODE_BIA="node $BIA_ROOT/dist/cli/main.js"
C_BIA="$BIA_ROOT/build/Release/bia"
LIB="$BIA_ROOT/build/Release/libbia.so"
VSOCK="$T/bia-$VICTIM/helper.sock"
CLIENT='import socket
a = socket.getaddrinfo("v6only.test", 8080, socket.AF_INET)[0][4][0]
print("reached", a, socket.create_connection((a, 8080), timeout=5).recv(100).decode().split(",")[0])'`;

const ATTACK = String.raw`
ASOCK="$LAB_DIR/u$ATTACKER/run/bia/helper.sock"
as_user $ATTACKER env XDG_RUNTIME_DIR="$LAB_DIR/u$ATTACKER/run" $NODE_BIA helper 2>>"$LAB_DIR/attacker.log" &
lab_wait "the attacker's helper" test -S "$ASOCK"
forward() {  # DIR: the attacker's socket at DIR/helper.sock, forwarding to the attacker's helper; what passes is logged
  as_user $ATTACKER socat -v UNIX-LISTEN:"$1/helper.sock",fork,mode=0777 UNIX-CONNECT:"$ASOCK" 2>>"$LAB_DIR/forwarded.log" &
  FWD=$!
  lab_wait "the forwarder" test -S "$1/helper.sock"
}
attempts() {  # NAME: every way the victim reaches a helper
  as_user $VICTIM "$C_BIA" run -- python3 -c "$CLIENT" 2>"$LAB_DIR/$1-c.err"; echo "RESULT $1-c $?"
  as_user $VICTIM "$C_BIA" run --log-level debug -- true 2>"$LAB_DIR/$1-cdebug.err"
  as_user $VICTIM $NODE_BIA run -- python3 -c "$CLIENT" 2>"$LAB_DIR/$1-node.err"; echo "RESULT $1-node $?"
  as_user $VICTIM $NODE_BIA status >/dev/null 2>"$LAB_DIR/$1-status.err"; echo "RESULT $1-status $?"
  as_user $VICTIM env LD_PRELOAD="$LIB" BIA_SOCKET="$VSOCK" python3 -c "$CLIENT" 2>"$LAB_DIR/$1-preload.err"; echo "RESULT $1-preload $?"
  for f in c cdebug node status preload; do echo "ERR $1-$f $(tr '\n' '|' <"$LAB_DIR/$1-$f.err")"; done
}
peer_serve_tcp 8080
# (a) the attacker's directory, made first, with a forwarding socket in it
as_user $ATTACKER mkdir -m 0755 "$T/bia-$VICTIM"
forward "$T/bia-$VICTIM"
attempts dir
kill $FWD; wait $FWD 2>/dev/null
rm -rf "$T/bia-$VICTIM"
# (b) a symbolic link to the attacker's directory
as_user $ATTACKER mkdir -m 0755 "$T/elsewhere"
forward "$T/elsewhere"
as_user $ATTACKER ln -s "$T/elsewhere" "$T/bia-$VICTIM"
attempts link
kill $FWD; wait $FWD 2>/dev/null
echo "FORWARDED $(grep -c '^[<>] ' "$LAB_DIR/forwarded.log")"`;

// Lines of ERR output for one attempt: what the victim saw on stderr.
function errOf(stdout: string, name: string): string[] {
  const line = stdout.match(new RegExp(`^ERR ${name} (.*)$`, 'm'))?.[1] ?? '';
  return line.split('|').filter(Boolean);
}

describe('a fallback socket another user made first', skipWhen(labMissing, secondUidMissing), () => {
  it('is refused by bia run (both launchers), bia status and the preload, in one line, with nothing sent', async () => {
    const r = await lab(`${SETUP}\n${ATTACK}`, { timeoutMs: 120_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    const dir = String.raw`\S+/tmp/bia-${VICTIM}`;
    const found = {
      dir: `its directory ${dir} belongs to uid ${ATTACKER} \\(mode 0755\\), neither to you \\(uid ${VICTIM}\\) with mode 0700 nor to root alone; whoever made it may listen there: remove it \\(rm -r ${dir}, as its owner or root\\) or set XDG_RUNTIME_DIR`,
      link: `${dir} is a symbolic link \\(uid ${ATTACKER}'s\\), not a directory; whoever made it may listen there: remove it \\(rm ${dir}\\) or set XDG_RUNTIME_DIR`,
    };
    for (const attack of ['dir', 'link'] as const) {
      const refusal = new RegExp(`^bia: refusing the helper socket ${dir}/helper\\.sock: ${found[attack]}`);
      for (const how of ['c', 'node', 'status']) {
        expect(r.rc(`${attack}-${how}`), `${attack} ${how}\n${out}`).toBe(77);
        const lines = errOf(r.stdout, `${attack}-${how}`);
        expect(lines, `${attack} ${how}\n${out}`).toHaveLength(1);
        expect(lines[0], out).toMatch(refusal);
      }
      // The native launcher refused the socket itself, before the Node launcher said why.
      expect(errOf(r.stdout, `${attack}-cdebug`).join('\n'), out).toMatch(new RegExp(`^bia\\[\\d+\\]: launcher: the Node launcher takes over \\(it says why\\): refusing the helper socket ${dir}/helper\\.sock: `, 'm'));
      expect(r.rc(`${attack}-preload`), out).not.toBe(0);
      expect(errOf(r.stdout, `${attack}-preload`).join('\n'), out).toMatch(new RegExp(`^bia\\[\\d+\\]: resolve v6only\\.test: cannot reach the helper: refusing the helper socket ${dir}/helper\\.sock: ${found[attack]}`, 'm'));
    }
    expect(r.stdout, out).not.toMatch(/^reached /m);
    expect(r.stdout, out).toMatch(/^FORWARDED 0$/m);
  }, 150_000);

  it('a helper that refuses to start says why in one line, with its exit status, to bia helper and bia run alike', async () => {
    const r = await lab(
      `${SETUP}
# The attacker's empty directory where the victim's helper would listen.
as_user $ATTACKER mkdir -m 0755 "$T/bia-$VICTIM"
as_user $VICTIM $NODE_BIA helper 2>"$LAB_DIR/helper.err"; echo "RESULT helper $?"
echo "ERR helper $(tr '\\n' '|' <"$LAB_DIR/helper.err")"
# The victim's own helper holds the saved mappings; a second one, for another socket, cannot start.
as_user $VICTIM env BIA_SOCKET="$LAB_DIR/u$VICTIM/run/first.sock" $NODE_BIA helper 2>"$LAB_DIR/first.err" &
lab_wait "the victim's helper" test -S "$LAB_DIR/u$VICTIM/run/first.sock"
as_user $VICTIM env BIA_SOCKET="$LAB_DIR/u$VICTIM/run/second.sock" $NODE_BIA run -- true 2>"$LAB_DIR/run.err"; echo "RESULT run $?"
echo "ERR run $(tr '\\n' '|' <"$LAB_DIR/run.err")"`,
      { timeoutMs: 60_000 },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('helper'), out).toBe(77);
    expect(errOf(r.stdout, 'helper'), out).toEqual([expect.stringMatching(new RegExp(`^bia: refusing to put the helper socket in \\S+/bia-${VICTIM}: it belongs to uid ${ATTACKER} \\(mode 0755\\), not to uid ${VICTIM}; .*remove it`))]);
    expect(r.rc('run'), out).toBe(75);
    expect(errOf(r.stdout, 'run'), out).toEqual([expect.stringMatching(/^bia: the bia helper did not start: another bia helper \(pid \d+\) is using the saved mappings in \S+/)]);
  }, 90_000);
});
