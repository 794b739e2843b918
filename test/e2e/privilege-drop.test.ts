// End to end: real programs that switch user (issue 16, item 1). As root
// (a container), `bia run --allow-root` starts a helper that serves every
// uid, so nginx's www-data workers show IPv6 clients as stand-in IPv4
// addresses and apt's downloader, as _apt, resolves through it. With a
// helper of an ordinary user (a laptop), a program that changes its uid
// keeps what it opened before and is told once, on stderr, why the rest
// fails and what to do. Needs real uids (setpriv), so root: the lab's user
// namespace maps only root, where nobody can switch to www-data or _apt.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { ciUserPass, skipWhen } from '../support/skip.js';

const notRoot =
  process.getuid?.() !== 0 ? 'needs root: the programs switch to real uids (www-data, _apt) with setpriv'
  : process.env.BIA_LAB_USERNS === '1' ? "the lab's user namespace maps only root: nobody there can switch to www-data or _apt"
  : undefined;
if (process.getuid?.() !== 0 && process.env.CI && !ciUserPass) throw new Error(`CI must run the privilege-drop tests, but: ${notRoot}`);

const POOL = /^198\.1[89]\.\d+\.\d+$/;

// The lab's directory is root's 0700 one: other users must reach the
// helper's socket and nginx's pages through it, as through a container's /tmp.
const OPEN_LAB = String.raw`chmod 0711 "$LAB_DIR" "$XDG_RUNTIME_DIR"
host_tcp() { ss -Htln "sport = :$1" | grep -q .; }
`;

// nginx as Debian runs it: a root master, workers as www-data.
const NGINX = String.raw`mkdir -m 0755 "$LAB_DIR/www" && echo "hello from nginx" >"$LAB_DIR/www/index.html"
cat >"$LAB_DIR/nginx.conf" <<CONF
user www-data;
worker_processes 2;
daemon off;
pid $LAB_DIR/nginx.pid;
error_log $LAB_DIR/nginx-error.log;
events { worker_connections 64; }
http {
  access_log $LAB_DIR/access.log;
  server { listen 8080; root $LAB_DIR/www; }
}
CONF
bia run --allow-root -- nginx -c "$LAB_DIR/nginx.conf" 2>"$LAB_DIR/nginx.err" &
lab_wait nginx host_tcp 8080
lab_wait "nginx's workers" pgrep -u www-data -x nginx >/dev/null; echo "RESULT workers $?"
for i in 1 2 3; do peer curl -6 -sS -m 3 "http://[$LAB_HOST6]:8080/"; done; echo "RESULT curl $?"
lab_wait "the access log" sh -c '[ "$(wc -l <"$0")" -ge 3 ]' "$LAB_DIR/access.log"
sed 's/^/access /' "$LAB_DIR/access.log"
sed 's/^/nginx-stderr /' "$LAB_DIR/nginx.err"
grep -i 'bia\|helper' "$LAB_DIR/nginx-error.log" | sed 's/^/nginx-error /'
`;

// apt's downloader drops to _apt; forced to one address family, it needs
// bia for a mirror of the other (only the lab's DNS knows its name).
const aptMirror = (bind: string, force: string, name: string) => String.raw`mkdir -p "$LAB_DIR/mirror" && echo "a file from the lab mirror" >"$LAB_DIR/mirror/file.txt"
peer python3 -m http.server --bind ${bind} 8000 --directory "$LAB_DIR/mirror" >/dev/null 2>&1 &
lab_wait "the mirror" peer_listening 8000
mkdir -m 0777 "$LAB_DIR/dl"
APT="/usr/lib/apt/apt-helper -o Acquire::${force}=true -o Acquire::Retries=0 download-file http://${name}:8000/file.txt"
$APT "$LAB_DIR/dl/plain.txt" >"$LAB_DIR/apt-plain.out" 2>&1; echo "RESULT apt-plain $?"
sed 's/^/apt-plain /' "$LAB_DIR/apt-plain.out"
bia run --allow-root -- $APT "$LAB_DIR/dl/got.txt" >"$LAB_DIR/apt.out" 2>&1; echo "RESULT apt $?"
sed 's/^/apt /' "$LAB_DIR/apt.out"
echo "apt-got $(cat "$LAB_DIR/dl/got.txt")"
`;

// A laptop: the helper of nobody (65534); a program of that user that may
// change uid (ambient CAP_SETUID) looks up and connects, becomes www-data,
// looks up on the helper connection it kept, then forks a child whose own
// connections the helper refuses: lookups and an IPv4 server's accepts.
const LAPTOP = String.raw`U=65534 home="$LAB_DIR/u"
mkdir -p "$home/run" "$home/state" && chmod 0700 "$home/run" && chown -R $U:$U "$home"
setpriv --reuid=$U --regid=$U --clear-groups env -u BIA_ALLOW_ROOT HOME="$home" XDG_RUNTIME_DIR="$home/run" \
  XDG_STATE_HOME="$home/state" node "$BIA_ROOT/dist/cli/main.js" helper 2>"$LAB_DIR/user-helper.log" &
lab_wait "the user's helper" test -S "$home/run/bia/helper.sock"
PROG='import os, socket
def lookup(name):
    try: return socket.gethostbyname(name)
    except OSError as e: return "failed"
print("before", lookup("v6only.test"))
s = socket.create_connection((lookup("v6only.test"), 8080), timeout=5)
os.setgid(33); os.setuid(33)
print("kept", lookup("multi.test"))
print("peer", s.getpeername()[0], s.recv(100).decode().split(",")[0])
if os.fork() == 0:
    for n in ("dual.test", "mail.test"): print("child", n, lookup(n), flush=True)
    l = socket.socket(); l.bind(("0.0.0.0", 8090)); l.listen()
    for _ in range(2):
        c, a = l.accept(); print("accepted", a[0], flush=True); c.close()
    os._exit(0)
os.wait()'
setpriv --reuid=$U --regid=$U --clear-groups --inh-caps=+setuid,+setgid --ambient-caps=+setuid,+setgid \
  env LD_PRELOAD="$BIA_ROOT/build/Release/libbia.so" BIA_SOCKET="$home/run/bia/helper.sock" \
  /usr/bin/python3 -c "$PROG" >"$LAB_DIR/prog.out" 2>"$LAB_DIR/prog.err" &
prog=$!
lab_wait "the child's server" host_tcp 8090
# A client address the program has no stand-in for yet.
peer ip addr add 2001:db8:1::99/64 dev eth0 nodad
for i in 1 2; do peer socat -T 1 - "TCP6:[$LAB_HOST6]:8090,bind=[2001:db8:1::99]" </dev/null; done
wait $prog; echo "RESULT prog $?"
cat "$LAB_DIR/prog.out"
sed 's/^/prog-stderr /' "$LAB_DIR/prog.err"
`;

describe('programs that switch user', skipWhen(labMissing, notRoot), () => {
  it('IPv6-only network: nginx (user www-data) logs stand-in addresses, apt as _apt fetches from an IPv6-only mirror, a laptop program is told once why', async () => {
    const r = await lab(`peer_serve_tcp 8080\n${OPEN_LAB}${NGINX}${aptMirror('::', 'ForceIPv4', 'v6only.test')}${LAPTOP}`, { timeoutMs: 120_000 });
    const out = `${r.stdout}\n${r.stderr}`;

    // nginx: its workers are www-data's, and their accepts reach the helper.
    expect(r.rc('workers'), out).toBe(0);
    expect(r.rc('curl'), out).toBe(0);
    expect(r.stdout).toContain('hello from nginx');
    const clients = [...r.stdout.matchAll(/^access (\S+) /gm)].map((m) => m[1]);
    expect(clients.length, out).toBe(3);
    for (const client of clients) expect(client, out).toMatch(POOL);
    expect(r.stdout, 'nginx says nothing about bia').not.toMatch(/^nginx-(stderr|error) /m);

    // apt: without bia an IPv4-only apt cannot resolve the IPv6-only mirror;
    // with it, its _apt downloader (sandboxed, not run as root) fetches the file.
    expect(r.rc('apt-plain'), out).not.toBe(0);
    expect(r.stdout).toMatch(/^apt-plain .*Could not resolve/m);
    expect(r.rc('apt'), out).toBe(0);
    expect(r.stdout).toContain('apt-got a file from the lab mirror');
    expect(r.stdout, 'apt dropped to _apt').not.toMatch(/unsandboxed/);

    // The laptop: what was opened before the switch keeps working...
    expect(r.rc('prog'), out).toBe(0);
    expect(r.stdout).toMatch(/^before 198\.18\.0\.\d+$/m);
    expect(r.stdout, 'a lookup on the helper connection kept from before the switch').toMatch(/^kept 198\.18\.0\.\d+$/m);
    expect(r.stdout).toMatch(/^peer 198\.18\.0\.\d+ hello from the IPv6-only peer$/m);
    // ...what needs a new helper connection fails, said once, with the fix.
    expect(r.stdout).toMatch(/^child dual\.test failed$/m);
    expect(r.stdout).toMatch(/^child mail\.test failed$/m);
    expect([...r.stdout.matchAll(/^accepted (\S+)$/gm)].map((m) => m[1])).toEqual(['0.0.0.0', '0.0.0.0']);
    const lines = [...r.stdout.matchAll(/^prog-stderr (.*)$/gm)].map((m) => m[1]);
    expect(lines.length, out).toBe(1);
    expect(lines[0]).toMatch(/^bia\[\d+\]: this process now runs as uid 33 \(www-data\) and the helper at \S+ serves only uid 65534 \(nobody\): run a helper for both \(as root: bia install --system --allow-users 65534,33\) or start the program as root through a root helper \(bia run --allow-root\); until then its lookups fail and IPv6 peers show as 0\.0\.0\.0$/);
  }, 150_000);

  it('IPv4-only network: apt as _apt fetches from an IPv4-only mirror through the root helper', async () => {
    const r = await lab(`${OPEN_LAB}${aptMirror('0.0.0.0', 'ForceIPv6', 'v4only.test')}`, { family: 4 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('apt-plain'), out).not.toBe(0);
    expect(r.stdout).toMatch(/^apt-plain .*Could not resolve/m);
    expect(r.rc('apt'), out).toBe(0);
    expect(r.stdout).toContain('apt-got a file from the lab mirror');
    expect(r.stdout, 'apt dropped to _apt').not.toMatch(/unsandboxed/);
  });
});
