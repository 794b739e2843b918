// End to end: one helper shared by the users of a host (bia helper
// --system), run as a dedicated unprivileged user, and real programs of
// other users reaching the lab's IPv6-only peer through `bia run`, which
// finds the shared helper by itself. Needs root (the users are uids switched
// to with setpriv, as CI runs the tests).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const canSwitchUsers = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

// Users: Ann (nobody) and Bob are served; Eve is not; Carol is pointed at a
// socket Mallory made; the helper runs as the service user.
const USERS = String.raw`ANN=65534 BOB=4242 EVE=4244 CAROL=4246 MALLORY=4245 SERVICE=4243
chmod 0711 "$LAB_DIR"
mkuser() {
  local home="$LAB_DIR/u$1"
  mkdir -p "$home/run" "$home/state" "$home/config"
  chmod 0700 "$home/run"
  chown -R "$1:$1" "$home"
}
for u in $ANN $BOB $EVE $CAROL; do mkuser $u; done
as_user() {
  local uid=$1 home="$LAB_DIR/u$1"; shift
  setpriv --reuid=$uid --regid=$uid --clear-groups env -u BIA_ALLOW_ROOT HOME="$home" \
    XDG_RUNTIME_DIR="$home/run" XDG_STATE_HOME="$home/state" XDG_CONFIG_HOME="$home/config" "$@"
}
BIA="node $BIA_ROOT/dist/cli/main.js"
# The system directories an admin (or systemd) makes: the socket's, given to
# the service user, in a directory only root may write (as /run/bia in /run).
SYS=$(mktemp -d /run/bia-lab-shared.XXXXXX)
chmod 0755 "$SYS"
trap 'rm -rf "$LAB_DIR" "$SYS"' EXIT
install -d -o $SERVICE -g $SERVICE -m 0755 "$SYS/bia"
export BIA_SYSTEM_SOCKET="$SYS/bia/helper.sock"
shared_helper() {  # STATE-DIR-NAME ARGS...: the shared helper, as the service user
  install -d -o $SERVICE -g $SERVICE -m 0700 "$SYS/$1"
  setpriv --reuid=$SERVICE --regid=$SERVICE --clear-groups env -u BIA_ALLOW_ROOT STATE_DIRECTORY="$SYS/$1" \
    $BIA helper --system "${'$'}{@:2}" >>"$LAB_DIR/shared.log" 2>&1 &
  lab_wait "the shared helper" test -S "$BIA_SYSTEM_SOCKET"
}
CLIENT='import socket, sys
for name in sys.argv[2:]:
    a = socket.getaddrinfo(name, 8080, socket.AF_INET)[0][4][0]
    if name.startswith("2001:"): print(sys.argv[1], name, a); continue
    s = socket.create_connection((a, 8080), timeout=5)
    print(sys.argv[1], name, a, s.recv(100).decode().split(",")[0])'`;

describe('a helper shared by the users of a host', skipWhen(labMissing, !canSwitchUsers && 'needs root, to run a second user through setpriv'), () => {
  it('scope host: every user gets the same address for a peer, lists only its own mappings, and an unserved user is told so', async () => {
    const r = await lab(
      `peer_serve_tcp 8080
${USERS}
shared_helper state-host --allow-users $ANN,$BOB --log-level info
as_user $ANN $BIA run -- python3 -c "$CLIENT" ann v6only.test; echo "RESULT ann $?"
as_user $BOB $BIA run -- python3 -c "$CLIENT" bob v6only.test multi.test; echo "RESULT bob $?"
echo "ANN STATUS"; as_user $ANN $BIA status; echo "RESULT annstatus $?"
echo "BOB STATUS"; as_user $BOB $BIA status; echo "RESULT bobstatus $?"
test -e "$LAB_DIR/u$ANN/run/bia/helper.sock"; echo "RESULT annown $?"
as_user $EVE env BIA_SOCKET="$BIA_SYSTEM_SOCKET" $BIA run -- true 2>"$LAB_DIR/eve.err"; echo "RESULT evenamed $?"
echo "EVE ERR $(cat "$LAB_DIR/eve.err")"
echo "EVE STATUS"; as_user $EVE $BIA status; echo "RESULT evestatus $?"
as_user $EVE $BIA run -- python3 -c "$CLIENT" eve v6only.test; echo "RESULT eve $?"
# Mallory, an ordinary user, listens where Carol is told a shared helper is.
install -d -o $MALLORY -m 0755 /tmp/bia-mallory.$$
setpriv --reuid=$MALLORY --regid=$MALLORY --clear-groups /usr/bin/python3 -c 'import socket, time; s = socket.socket(socket.AF_UNIX); s.bind("/tmp/bia-mallory.'$$'/helper.sock"); s.listen(); time.sleep(60)' &
lab_wait "Mallory's socket" test -S /tmp/bia-mallory.$$/helper.sock
as_user $CAROL env BIA_SYSTEM_SOCKET=/tmp/bia-mallory.$$/helper.sock $BIA run -- python3 -c "$CLIENT" carol v6only.test 2>"$LAB_DIR/carol.err"; echo "RESULT carol $?"
echo "CAROL ERR $(cat "$LAB_DIR/carol.err")"
rm -rf /tmp/bia-mallory.$$
cat "$LAB_DIR/shared.log" >&2`,
      { timeoutMs: 120_000 },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    for (const step of ['ann', 'bob', 'annstatus', 'bobstatus', 'eve', 'carol']) expect(r.rc(step), `${step}\n${out}`).toBe(0);
    expect(r.rc('evestatus'), out).toBe(3); // no helper of her own yet, and the shared one is not hers
    // The same stand-in address for the same peer, in both users' programs, and both reach it.
    expect(r.stdout, out).toMatch(/^ann v6only\.test 198\.18\.0\.1 hello from the IPv6-only peer$/m);
    expect(r.stdout, out).toMatch(/^bob v6only\.test 198\.18\.0\.1 hello from the IPv6-only peer$/m);
    // multi.test: ::2 has .1 already, ::3 the next address (the host's own takes none).
    expect(r.stdout, out).toMatch(/^bob multi\.test 198\.18\.0\.[12] hello from the IPv6-only peer$/m);
    // No helper of Ann's own was started: bia run found the shared one.
    expect(r.rc('annown'), out).not.toBe(0);
    const section = (name: string) => r.stdout.split(`${name} STATUS\n`)[1]?.split(/^RESULT/m)[0] ?? '';
    const ann = section('ANN');
    expect(ann, out).toMatch(/^helper: +running, pid \d+, the shared helper of this host \(uid 4243\)$/m);
    expect(ann, out).toMatch(/^ {2}198\.18\.0\.1 +2001:db8:1::2 +pool /m);
    expect(ann, out).not.toContain('2001:db8:1::3'); // only Bob looked up multi.test
    expect(section('BOB'), out).toMatch(/^ {2}198\.18\.0\.\d+ +2001:db8:1::3 +pool +multi\.test/m);
    // Eve: a clear refusal when she names the shared helper; her own helper otherwise.
    expect(r.rc('evenamed'), out).toBe(69);
    expect(r.stdout, out).toMatch(/^EVE ERR bia: the shared bia helper at \S+ does not serve uid 4244: ask its admin/m);
    expect(r.stdout, out).toMatch(/^eve v6only\.test 198\.18\.0\.1 hello from the IPv6-only peer$/m);
    expect(section('EVE'), out).toMatch(/^shared: +not used \(the shared bia helper at \S+ does not serve uid 4244/m);
    expect(r.stderr, out).toMatch(/refused a client of uid 4244 \(pid \d+\): this helper serves uid 4243, 65534, 4242/);
    // Carol is not handed to Mallory's socket: bia says why and starts her own helper.
    expect(r.stdout, out).toMatch(/^CAROL ERR bia: warning: ignoring the shared helper socket \/tmp\/bia-mallory\.\d+\/helper\.sock: \/tmp is not root's alone/m);
    expect(r.stdout, out).toMatch(/^carol v6only\.test 198\.18\.0\.1 hello from the IPv6-only peer$/m);
  }, 150_000);

  it('scope user: each user has addresses of its own, and programs of one user still share them', async () => {
    const r = await lab(
      `peer_serve_tcp 8080
${USERS}
shared_helper state-user --allow-users $ANN,$BOB --pool-scope user
as_user $ANN $BIA run -- python3 -c "$CLIENT" ann v6only.test; echo "RESULT ann $?"
as_user $BOB $BIA run -- python3 -c "$CLIENT" bob 2001:db8:1::3 v6only.test; echo "RESULT bob $?"
as_user $ANN $BIA run -- python3 -c "$CLIENT" ann-again v6only.test; echo "RESULT annagain $?"
echo "ANN STATUS"; as_user $ANN $BIA status; echo "RESULT annstatus $?"
cat "$LAB_DIR/shared.log" >&2`,
      { timeoutMs: 120_000 },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    for (const step of ['ann', 'bob', 'annagain', 'annstatus']) expect(r.rc(step), `${step}\n${out}`).toBe(0);
    expect(r.stdout, out).toMatch(/^ann v6only\.test 198\.18\.0\.1 hello from the IPv6-only peer$/m);
    // Bob's first address is his own 198.18.0.1, for another peer; the peer Ann has at .1 is another for him.
    expect(r.stdout, out).toMatch(/^bob 2001:db8:1::3 198\.18\.0\.1$/m);
    expect(r.stdout, out).toMatch(/^bob v6only\.test 198\.18\.0\.(?!1 )\d+ hello from the IPv6-only peer$/m);
    expect(r.stdout, out).toMatch(/^ann-again v6only\.test 198\.18\.0\.1 hello from the IPv6-only peer$/m);
    const ann = r.stdout.split('ANN STATUS\n')[1] ?? '';
    expect(ann, out).toMatch(/^ {2}198\.18\.0\.1 +2001:db8:1::2 +pool /m);
    expect(ann, out).not.toContain('2001:db8:1::3');
  }, 150_000);
});
