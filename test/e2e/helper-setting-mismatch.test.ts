// End to end, in the IPv4-only lab: a helper runs with some settings, and a
// later bia run names others. A helper setting given on the command line,
// in a BIA_* variable or in the config file that the running helper does
// not have (as its HELLO or its command line says) is refused, in one
// line, before the program runs (it used to be ignored: --synth prefix got
// the running helper's ::ffff: addresses); a setting left at its default
// follows the running helper, whose format the program and the helper's
// DNS endpoint then both use. Each case runs through the native launcher
// and the Node one.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const FOUR = { family: 4 as const };

/** B: the launcher under test, native (as npm installs bia) or Node. */
const LAUNCHERS = String.raw`B_native() { bia "$@"; }
B_node() { node "$BIA_ROOT/dist/cli/main.js" "$@"; }`;

const FIX = /: stop it \(bia stop\) and rerun, (drop --\S+|unset BIA_\w+( \(eval "\$\(bia env --off\)" where bia env set it\))?|remove "\w+" from \S+) to follow it, or start a second helper with its own --socket PATH and XDG_STATE_HOME$/;

describe('a helper setting that is not the running helper\'s', skipWhen(labMissing), () => {
  it('is refused with the setting, both values and the fix, and the program does not run', async () => {
    const r = await lab(
      `${LAUNCHERS}
bia run -- true
for L in native node; do
  B_$L run --synth prefix -- sh -c 'echo ran; curl -6 -sS -m 5 http://v4only.test:8080/'; echo "RESULT flag-$L $?"
  BIA_SYNTH=prefix B_$L run -- getent ahostsv6 v4only.test; echo "RESULT env-$L $?"
  B_$L run --pool 10.64.0.0/10 -- getent ahostsv6 v4only.test; echo "RESULT pool-$L $?"
  mkdir -p "$XDG_CONFIG_HOME/bia"; echo '{"synth": "m46a"}' >"$XDG_CONFIG_HOME/bia/config.json"
  B_$L run -- getent ahostsv6 v4only.test; echo "RESULT file-$L $?"
  rm "$XDG_CONFIG_HOME/bia/config.json"
  B_$L run --pool-scope user -- true; echo "RESULT scope-$L $?"
  BIA_NAT64=off B_$L run -- true; echo "RESULT nat64-$L $?"
  B_$L run --pool-scope host --nat64 auto --quota-per-user 65536 --network ipv6-only -- true; echo "RESULT same-$L $?"
done
bia stop >/dev/null 2>&1
bia run --synth prefix -- python3 -c 'import socket; print("after stop", socket.getaddrinfo("v4only.test", 80, socket.AF_INET6)[0][4][0])'`,
      FOUR,
    );
    for (const launcher of ['native', 'node']) {
      expect(r.rc(`same-${launcher}`), r.stderr).toBe(0);
      for (const what of ['flag', 'env', 'pool', 'file', 'scope', 'nat64']) expect(r.rc(`${what}-${launcher}`), `${what}-${launcher}: ${r.stderr}`).toBe(78);
    }
    expect(r.stdout).not.toContain('ran');
    expect(r.stdout).not.toContain('v4only.test');
    // The fix the refusal names.
    expect(r.stdout).toContain('after stop 64:ff9b::c633:6402\n');
    // One line each, through either launcher: the Node one says it, the native one hands such a run to it.
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(12);
    for (const line of lines) expect(line).toMatch(/^bia: .* \(helper at \S+\/run\/bia\/helper\.sock\): /);
    for (const line of lines) expect(line).toMatch(FIX);
    for (const start of [
      "--synth prefix differs from the running helper's synth mapped",
      "BIA_SYNTH=prefix differs from the running helper's synth mapped",
      "--pool 10.64.0.0/10 differs from the running helper's pool 198.18.0.0/15",
      `"synth": "m46a" in /`,
      "--pool-scope user differs from the running helper's pool-scope host",
      "BIA_NAT64=off differs from the running helper's nat64 auto",
    ]) expect(lines.filter((l) => l.startsWith(`bia: ${start}`)), start).toHaveLength(2);
    expect(r.stderr).toMatch(/"synth": "m46a" in \S+\/config\/bia\/config\.json differs from the running helper's synth mapped /);
  }, 120_000);

  it('given as the helper has it, or left at its default, runs against the helper; --socket gives a second helper', async () => {
    const r = await lab(
      `${LAUNCHERS}
peer python3 -m http.server 8081 --bind 198.51.100.2 >/dev/null 2>/dev/null &
lab_wait "the peer's web server" peer_listening 8081
RESOLVE='import socket; print(socket.getaddrinfo("v4only.test", 80, socket.AF_INET6, socket.SOCK_STREAM)[0][4][0])'
bia run --synth prefix -- true
for L in native node; do
  B_$L run --synth prefix --pool 198.18.0.0/15 -- curl -6 -sS -m 5 -o /dev/null -w "curl-$L %{remote_ip}\\n" http://v4only.test:8081/; echo "RESULT same-$L $?"
  BIA_SYNTH=prefix B_$L run -- python3 -c "$RESOLVE" | sed "s/^/env-$L /"
  B_$L run -- python3 -c "$RESOLVE" | sed "s/^/default-$L /"
  B_$L run -- dig -6 +short AAAA v4only.test | sed "s/^/dig6-$L /"
  B_$L run -- dig +short AAAA v4only.test | sed "s/^/dig-$L /"
  XDG_STATE_HOME="$LAB_DIR/second" B_$L run --socket "$LAB_DIR/second.sock" --synth mapped -- getent ahostsv6 v4only.test | sed -n "1s/^/second-$L /p"
done`,
      FOUR,
    );
    for (const launcher of ['native', 'node']) {
      expect(r.rc(`same-${launcher}`), r.stderr).toBe(0);
      expect(r.stdout).toContain(`curl-${launcher} 64:ff9b::c633:6402\n`);
      expect(r.stdout).toContain(`env-${launcher} 64:ff9b::c633:6402\n`);
      expect(r.stdout).toContain(`default-${launcher} 64:ff9b::c633:6402\n`);
      expect(r.stdout).toContain(`dig-${launcher} 64:ff9b::c633:6402\n`);
      expect(r.stdout).toContain(`dig6-${launcher} 64:ff9b::c633:6402\n`);
      expect(r.stdout).toContain(`second-${launcher} ::ffff:198.51.100.2 STREAM v4only.test\n`);
    }
  }, 120_000);

  it("a program whose environment predates a helper restart follows the running helper's format, as its DNS endpoint does", async () => {
    // A shell set up by bia env for a mapped helper; the helper is then
    // replaced by one with --synth prefix. Programs started in that shell
    // (not through bia run, which refuses the stale BIA_SYNTH) resolved
    // through the helper in the prefix format but believed the mapped one,
    // so an IPv6 connect to the address they were given left as IPv6
    // (ENETUNREACH) and curl -6 showed ::ffff: while dig showed 64:ff9b::.
    const r = await lab(
      String.raw`peer_serve_tcp4 8080
peer python3 -m http.server 8081 --bind 198.51.100.2 >/dev/null 2>/dev/null &
lab_wait "the peer's web server" peer_listening 8081
eval "$(bia env)"
bia stop >/dev/null 2>&1
(unset LD_PRELOAD BIA_SYNTH BIA_SYNTH_PREFIX BIA_PLANE_ID BIA_POOL BIA_SOCKET; bia run --synth prefix -- true)
echo "stale $BIA_SYNTH"
python3 -c '
import socket
ai = socket.getaddrinfo("v4only.test", 8080, socket.AF_INET6, socket.SOCK_STREAM)
s = socket.socket(socket.AF_INET6)
s.settimeout(3)
s.connect(ai[0][4])
print("python", s.getpeername()[0], s.recv(100).decode().strip())'
echo "RESULT py $?"
curl -6 -sS -m 5 -o /dev/null -w 'curl %{remote_ip}\n' http://v4only.test:8081/; echo "RESULT curl $?"
echo "dig $(dig +short AAAA v4only.test)"
bia run -- true; echo "RESULT run $?"
eval "$(bia env --off)"; eval "$(bia env)"; echo "renewed $BIA_SYNTH $BIA_SYNTH_PREFIX"`,
      FOUR,
    );
    expect(r.stdout).toContain('stale mapped\n');
    expect(r.rc('py'), r.stderr).toBe(0);
    expect(r.stdout).toContain('python 64:ff9b::c633:6402 hello from the IPv4-only peer, you are 198.51.100.1\n');
    expect(r.rc('curl'), r.stderr).toBe(0);
    expect(r.stdout).toContain('curl 64:ff9b::c633:6402\n');
    expect(r.stdout).toContain('dig 64:ff9b::c633:6402\n');
    expect(r.stderr).toMatch(/^bia\[\d+\]: BIA_SYNTH=mapped \(and its prefix and plane\) is not the running helper's synthesis, prefix 64:ff9b::\/96 plane 0: following the helper \(the environment predates a helper restart: bia env --off, then bia env, renews it\)$/m);
    expect(r.rc('run')).toBe(78);
    expect(r.stderr).toContain("bia: BIA_SYNTH=mapped differs from the running helper's synth prefix");
    expect(r.stderr).toContain('unset BIA_SYNTH (eval "$(bia env --off)" where bia env set it) to follow it');
    expect(r.stdout).toContain('renewed prefix 64:ff9b::/96\n');
  }, 120_000);

  it("a program whose BIA_POOL predates a helper restart follows the running helper's pool", async () => {
    // The same shell, the helper replaced by one with --pool 10.77.0.0/16
    // on a dual-stack network: a pool address another process resolved was
    // not in the program's (stale) pool, so its connect went out as IPv4
    // (ENETUNREACH) instead of to the IPv6 peer it stands for.
    const r = await lab(
      String.raw`peer_serve_tcp 8080
eval "$(bia env)"
bia stop >/dev/null 2>&1
(unset LD_PRELOAD BIA_SYNTH BIA_SYNTH_PREFIX BIA_PLANE_ID BIA_POOL BIA_SOCKET; bia run --pool 10.77.0.0/16 -- true)
echo "stale $BIA_POOL"
A=$(getent ahostsv4 v6only.test | awk 'NR==1 {print $1}')
echo "addr $A"
nc.traditional -w 2 "$A" 8080 </dev/null; echo "RESULT nc $?"`,
      { family: 'dual' },
    );
    expect(r.stdout).toContain('stale 198.18.0.0/15\n');
    expect(r.stdout).toContain('addr 10.77.0.1\n');
    expect(r.rc('nc'), r.stderr).toBe(0);
    expect(r.stdout).toContain('hello from the IPv6-only peer');
    expect(r.stderr).toMatch(/^bia\[\d+\]: BIA_POOL=198\.18\.0\.0\/15 is not the running helper's pool, 10\.77\.0\.0\/16: following the helper \(the environment predates a helper restart: bia env --off, then bia env, renews it\)$/m);
  }, 120_000);
});
