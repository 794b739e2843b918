// The edges of who bia serves and what it believes (docs/threat-model.md):
// the helper refuses root without an explicit opt-in; a set-uid program,
// into which /etc/ld.so.preload loads the library whatever the loader does
// with LD_PRELOAD, is left untouched (no helper contact, no log file of the
// caller's choosing); BIA_* values with format directives, control
// characters, an over-long socket path or a FIFO as log file neither crash,
// hang, forge log lines nor redirect the library anywhere.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const PROBE = String.raw`cc -o "$LAB_DIR/probe" "$BIA_ROOT/test/c/env_probe.c"
LIB="$BIA_ROOT/build/Release/libbia.so"
bia run -- true # this user's helper
SOCK="$XDG_RUNTIME_DIR/bia/helper.sock"`;

describe('root, secure-execution mode and BIA_* values', skipWhen(labMissing), () => {
  it('the helper refuses to run as root unless asked, and says how', async () => {
    const r = await lab(String.raw`unset BIA_ALLOW_ROOT
bia helper 2>"$LAB_DIR/helper.err"; echo "RESULT helper $?"; cat "$LAB_DIR/helper.err"
bia run -- true 2>"$LAB_DIR/run.err"; echo "RESULT run $?"; cat "$LAB_DIR/run.err"
BIA_ALLOW_ROOT=yes bia run -- true 2>"$LAB_DIR/yes.err"; echo "RESULT yes $?"; cat "$LAB_DIR/yes.err"
test -S "$XDG_RUNTIME_DIR/bia/helper.sock"; echo "RESULT socket $?"
BIA_ALLOW_ROOT=1 bia run -- true; echo "RESULT optin $?"`);
    const log = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('helper'), log).toBe(78);
    expect(r.rc('run'), log).toBe(78);
    expect(r.rc('yes'), log).toBe(78);
    expect(r.stdout).toMatch(/bia: the bia helper refuses to run as root: .*opt in with --allow-root \(bia run --allow-root, .*\) or BIA_ALLOW_ROOT=1/);
    expect(r.stdout).toContain('BIA_ALLOW_ROOT="yes" is not 1');
    expect(r.rc('socket'), 'no helper was started').not.toBe(0);
    expect(r.rc('optin'), log).toBe(0);
  });

  it('leaves a set-uid program alone even when /etc/ld.so.preload loads the library into it', skipWhen(process.getuid?.() !== 0 && 'needs root, to make a set-uid program'), async () => {
    const r = await lab(String.raw`${PROBE}
# Readable and executable for nobody; the set-uid copy runs as root.
chmod 711 "$LAB_DIR"; mkdir -m 755 "$LAB_DIR/pub"
cp "$LAB_DIR/probe" "$LAB_DIR/pub/probe"; cp "$LAB_DIR/probe" "$LAB_DIR/pub/probe-suid"; chmod 4755 "$LAB_DIR/pub/probe-suid"
# /etc/ld.so.preload, which the loader honours even in set-uid programs, in this lab's mount namespace only.
cp -a /etc "$LAB_DIR/etc"; echo "$LIB" >"$LAB_DIR/etc/ld.so.preload"; mount --bind "$LAB_DIR/etc" /etc
export BIA_SOCKET=$SOCK BIA_LOG=debug
echo "== plain"; BIA_LOG_FILE="$LAB_DIR/pub/plain.log" "$LAB_DIR/pub/probe" v6only.test
echo "== setuid"; setpriv --reuid=65534 --regid=65534 --clear-groups env BIA_LOG_FILE="$LAB_DIR/pub/secure.log" "$LAB_DIR/pub/probe-suid" v6only.test
echo "RESULT setuid $?"
test -e "$LAB_DIR/pub/plain.log"; echo "RESULT plainlog $?"
test -e "$LAB_DIR/pub/secure.log"; echo "RESULT securelog $?"`);
    const log = `${r.stdout}\n${r.stderr}`;
    const [plain, secure] = r.stdout.split('== setuid');
    // The control: through ld.so.preload the library is active in an ordinary program.
    expect(plain, log).toMatch(/^secure 0$/m);
    expect(plain, log).toMatch(/^mapped 1$/m);
    expect(plain, log).toMatch(/^v6only\.test 198\.1[89]\.\d+\.\d+$/m);
    expect(r.rc('plainlog'), log).toBe(0);
    // The set-uid program: loaded but inert, libc's own answer (no A record), no log file written as root.
    expect(secure, log).toMatch(/^secure 1$/m);
    expect(secure, log).toMatch(/^mapped 1$/m);
    expect(secure, log).toMatch(/^v6only\.test h_errno \d+$/m);
    expect(r.rc('setuid'), log).toBe(0);
    expect(r.rc('securelog'), log).not.toBe(0);
  });

  it('BIA_* values cannot inject formats, forge log lines, redirect the socket or hang the program', async () => {
    const r = await lab(String.raw`${PROBE}
probe() { LD_PRELOAD="$LIB" BIA_SOCKET="$SOCK" "$@" "$LAB_DIR/probe" v6only.test; }
echo "== formats"
probe env BIA_LOG='%n%n%s%s%p' BIA_NETWORK="$(printf '%%n\nbia[1]: forged')" BIA_POOL='%s%s%n/%n' \
  BIA_TIMEOUT_MS='%n' BIA_RESOLVE_TIMEOUT_MS="$(printf '9\r')" 2>"$LAB_DIR/formats.err"; echo "RESULT formats $?"
cat "$LAB_DIR/formats.err"
# A socket path one byte too long for sun_path, whose truncation names a listening decoy.
decoy="$LAB_DIR/$(printf 'x%.0s' $(seq 1 $((107 - ${'$'}{#LAB_DIR} - 1))))"
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen()
c, _ = s.accept(); open(sys.argv[1] + ".contacted", "w").close()' "$decoy" &
lab_wait "the decoy" test -S "$decoy"
echo "== long"
LD_PRELOAD="$LIB" BIA_SOCKET="${'$'}{decoy}y" "$LAB_DIR/probe" v6only.test 2>"$LAB_DIR/long.err"; echo "RESULT long $?"
cat "$LAB_DIR/long.err"
test -e "$decoy.contacted"; echo "RESULT decoy $?"
echo "== files"
mkfifo "$LAB_DIR/fifo"
timeout 10 env BIA_LOG=debug BIA_LOG_FILE="$LAB_DIR/fifo" LD_PRELOAD="$LIB" BIA_SOCKET="$SOCK" "$LAB_DIR/probe" v6only.test 2>"$LAB_DIR/fifo.err"; echo "RESULT fifo $?"
cat "$LAB_DIR/fifo.err"
probe env BIA_LOG_FILE=/nonexistent/dir/bia.log 2>"$LAB_DIR/missing.err"; echo "RESULT missing $?"
cat "$LAB_DIR/missing.err"
odd="$(printf '%s/odd %%n\nname' "$LAB_DIR")"
probe env BIA_LOG=debug BIA_LOG_FILE="$odd"; echo "RESULT odd $?"
test -s "$odd"; echo "RESULT oddfile $?"
echo "== cli"
BIA_LOG='%n' bia run -- true 2>"$LAB_DIR/cli.err"; echo "RESULT clilog $?"; cat "$LAB_DIR/cli.err"
BIA_SOCKET="$LAB_DIR/$(printf 's%.0s' $(seq 1 200))" bia run -- true 2>"$LAB_DIR/cli2.err"; echo "RESULT clisock $?"; cat "$LAB_DIR/cli2.err"`);
    const log = `${r.stdout}\n${r.stderr}`;
    const section = (name: string) => r.stdout.split(`== ${name}`)[1].split('\n== ')[0];
    // Formats are printed, never interpreted; a newline in a value cannot start a line.
    expect(r.rc('formats'), log).toBe(0);
    expect(section('formats'), log).toMatch(/^v6only\.test 198\.1[89]\.\d+\.\d+$/m);
    expect(section('formats')).toContain('ignoring BIA_LOG=%n%n%s%s%p');
    expect(section('formats')).toContain('ignoring BIA_NETWORK=%n?bia[1]: forged');
    expect(section('formats')).toContain('ignoring BIA_POOL=%s%s%n/%n');
    expect(section('formats')).toContain('ignoring BIA_RESOLVE_TIMEOUT_MS=9?');
    expect(section('formats')).not.toMatch(/^bia\[1\]: forged/m);
    // Too long for sun_path: inert, and the truncated path is never tried.
    expect(r.rc('long'), log).toBe(0);
    expect(section('long')).toMatch(/^v6only\.test h_errno \d+$/m);
    expect(section('long')).toContain('inert: BIA_SOCKET is longer than a Unix socket path may be');
    expect(r.rc('decoy'), 'the decoy at the truncated path was contacted').not.toBe(0);
    // A FIFO nobody reads is refused at once instead of blocking every log line; odd but valid paths work.
    expect(r.rc('fifo'), log).toBe(0);
    expect(section('files')).toContain('ignoring BIA_LOG_FILE');
    expect(r.rc('missing'), log).toBe(0);
    expect(r.rc('odd'), log).toBe(0);
    expect(r.rc('oddfile'), log).toBe(0);
    // The launcher refuses invalid values with the variable's name and no stack trace.
    expect(r.rc('clilog'), log).toBe(78);
    expect(section('cli')).toContain('BIA_LOG=%n');
    expect(r.rc('clisock'), log).not.toBe(0);
    expect(section('cli')).toMatch(/BIA_SOCKET|longer than 107 bytes/);
    expect(section('cli')).not.toMatch(/^\s+at /m);
  });
});
