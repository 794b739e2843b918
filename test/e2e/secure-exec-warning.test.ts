// End to end: bia run of a program the loader runs in secure-execution mode
// (a set-uid or set-gid copy of a real program), which drops LD_PRELOAD,
// warns once on stderr with the reason, from the native launcher and from
// the Node one alike; an ordinary copy gets no warning. A copy with file
// capabilities, run by an ordinary user, runs through its loader without
// them: bia reaches it, without a word.
// The probe (test/c/env_probe.c) shows the loader really ran it secure and
// without the library. Needs root for the set-id copies and a second user.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { ATTACKER, VICTIM, secondUidMissing } from '../support/second-uid.js';
import { skipWhen } from '../support/skip.js';

const SETUP = String.raw`chmod 711 "$LAB_DIR"; mkdir -m 755 "$LAB_DIR/pub"
cc -o "$LAB_DIR/pub/probe" "$BIA_ROOT/test/c/env_probe.c"
P="$LAB_DIR/pub"
cp "$P/probe" "$P/probe-suid"; chown ${ATTACKER} "$P/probe-suid"; chmod 4755 "$P/probe-suid"
cp "$P/probe" "$P/probe-sgid"; chgrp ${ATTACKER} "$P/probe-sgid"; chmod 2755 "$P/probe-sgid"
cp "$P/probe" "$P/probe-caps"; setcap cap_net_bind_service+ep "$P/probe-caps"
U="$LAB_DIR/u${VICTIM}"; mkdir -p "$U/run" "$U/state" "$U/config"; chmod 700 "$U/run"; chown -R ${VICTIM}:${VICTIM} "$U"
as_victim() {
  setpriv --reuid=${VICTIM} --regid=${VICTIM} --clear-groups env -u BIA_ALLOW_ROOT HOME="$U" XDG_RUNTIME_DIR="$U/run" \
    XDG_STATE_HOME="$U/state" XDG_CONFIG_HOME="$U/config" "$@"
}
NODE_BIA="node $BIA_ROOT/dist/cli/main.js"
try() {  # NAME CMD...: what the program saw, and what bia said
  "${'$'}{@:2}" >"$LAB_DIR/$1.out" 2>"$LAB_DIR/$1.err"; echo "RESULT $1 $?"
  echo "OUT $1 $(grep -E '^(secure|mapped)' "$LAB_DIR/$1.out" | tr '\n' ' ')"
  echo "ERR $1 $(tr '\n' '|' <"$LAB_DIR/$1.err")"
}`;

function line(stdout: string, what: string, name: string): string {
  return stdout.match(new RegExp(`^${what} ${name} (.*)$`, 'm'))?.[1] ?? '';
}

describe('bia run of a set-uid, set-gid or file-capability program', skipWhen(labMissing, secondUidMissing), () => {
  it('warns once of a set-id program, with the reason, from both launchers; a file-capability or ordinary program runs with bia without a word', async () => {
    const r = await lab(
      `${SETUP}
bia run -- true   # root's helper, so that the native launcher takes its fast path
try plain-c bia run -- "$P/probe"
try suid-c bia run --log-level debug -- "$P/probe-suid"
try suid-node $NODE_BIA run -- "$P/probe-suid"
try sgid-c bia run --log-level debug -- "$P/probe-sgid"
try sgid-node $NODE_BIA run -- "$P/probe-sgid"
# File capabilities make a program secure for an ordinary user (root has them all anyway).
try caps-node as_victim $NODE_BIA run -- "$P/probe-caps"
try caps-c as_victim "$LAB_BIA" run --log-level debug -- "$P/probe-caps"
(cd "$P" && PATH="$P:$PATH" try path-c bia run -- probe-suid)
as_victim $NODE_BIA stop 2>/dev/null; bia stop 2>/dev/null`,
      { timeoutMs: 90_000 },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.rc('plain-c'), out).toBe(0);
    expect(line(r.stdout, 'OUT', 'plain-c'), out).toBe('secure 0 mapped 1 ');
    expect(line(r.stdout, 'ERR', 'plain-c'), out).toBe('');
    const warned = { suid: 'is set-uid', sgid: 'is set-gid' };
    for (const [kind, why] of Object.entries(warned)) {
      for (const how of ['c', 'node']) {
        const name = `${kind}-${how}`;
        expect(r.rc(name), `${name}\n${out}`).toBe(0);
        expect(line(r.stdout, 'OUT', name), `${name}: the loader ran it secure, without bia\n${out}`).toBe('secure 1 mapped 0 ');
        // The native launcher's debug lines show it ran the program itself (its fast path).
        const all = line(r.stdout, 'ERR', name).split('|').filter(Boolean);
        if (how === 'c') expect(all.join('\n'), `${name}\n${out}`).toMatch(/^bia\[\d+\]: launcher: helper on \S+ .*; running \S+ directly$/m);
        const err = all.filter((l) => !l.startsWith('bia['));
        expect(err, `${name}\n${out}`).toEqual([
          `bia: warning: ${err[0]?.match(/\S+\/probe-\w+/)?.[0]} ${why}: the loader ignores LD_PRELOAD for it, so it runs without bia (untranslated); if it does not need its privileges, run a plain copy (cp ${err[0]?.match(/\S+\/probe-\w+/)?.[0]} elsewhere) with bia run`,
        ]);
        expect(err[0], out).toMatch(new RegExp(`^bia: warning: /\\S+/pub/probe-${kind} `));
      }
    }
    // A program with file capabilities only runs through its loader, without
    // them: not secure, bia in it, not a word.
    for (const how of ['c', 'node']) {
      const name = `caps-${how}`;
      expect(r.rc(name), `${name}\n${out}`).toBe(0);
      expect(line(r.stdout, 'OUT', name), `${name}: run without its capabilities, with bia\n${out}`).toBe('secure 0 mapped 1 ');
      const all = line(r.stdout, 'ERR', name).split('|').filter(Boolean);
      if (how === 'c') expect(all.join('\n'), `${name}\n${out}`).toMatch(/^bia\[\d+\]: launcher: helper on \S+ .*; running \S+ directly$/m);
      expect(all.filter((l) => !l.startsWith('bia[')), `${name}\n${out}`).toEqual([]);
    }
    // CMD found on PATH is the file checked.
    expect(line(r.stdout, 'ERR', 'path-c'), out).toMatch(/^bia: warning: \/\S+\/pub\/probe-suid is set-uid: .*\|$/);
  }, 120_000);
});
