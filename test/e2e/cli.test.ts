// The everyday commands around `bia run`: env, stop, signals, trace,
// status. Few lab runs, each telling a whole story, to keep this file fast.
import { describe, expect, it } from 'vitest';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { runInLab } from '../../src/lab/lab.js';
import { muslPreloadLibrary } from '../../src/preload-path.js';

describe('bia CLI', skipWhen(labMissing), () => {
  it('env turns bia on for a shell and off again; stop ends the helper; signals reach CMD', async () => {
    const r = await runInLab(String.raw`peer_serve_tcp 8080
export LD_PRELOAD=/lib/other\'s.so
eval "$(bia env)"; echo "env $?"
echo "preload $LD_PRELOAD"
echo "pool $BIA_POOL"
nc.traditional -w 2 v6only.test 8080 </dev/null
eval "$(bia env)"; echo "twice $LD_PRELOAD"
eval "$(bia env --off)"
echo "off [$LD_PRELOAD] [$BIA_SOCKET] [$BIA_POOL]"
nc.traditional -w 2 v6only.test 8080 </dev/null; echo "plain $?"
bia stop; echo "stop $?"
echo "helpers $(pgrep -fc '[m]ain.js helper')"
test -e "$XDG_RUNTIME_DIR/bia/helper.sock" && echo "socket left" || echo "socket gone"
bia stop; echo "stop again $?"
bia run -- sleep 100 & job=$!
lab_wait "sleep under bia" pgrep -f "^sleep 100"
kill -TERM "$(pgrep -f '^node .*main.js run -- sleep 100')"; wait $job; echo "term $?"
echo "sleeps $(pgrep -fc "^sleep 100")"
bia env --bogus; echo "bad flag $?"
bia run --help | head -1
echo HELP-START; bia --help; echo HELP-END`);
    expect(r.stdout, r.stderr).toContain('env 0');
    expect(r.stdout).toMatch(/^preload \/\S+\/libbia\.so \/lib\/other's\.so$/m);
    expect(r.stdout).toMatch(/^pool 198\.18\.0\.0\/15$/m);
    expect(r.stdout).toContain('hello from the IPv6-only peer');
    expect(r.stdout).toMatch(/^twice \/\S+\/libbia\.so \/lib\/other's\.so$/m);
    expect(r.stdout).toContain("off [/lib/other's.so] [] []");
    expect(r.stdout).toMatch(/^plain [1-9]/m);
    expect(r.stdout).toContain('stop 0');
    expect(r.stderr).toMatch(/bia: stopped the helper \(pid \d+\)/);
    expect(r.stdout).toContain('helpers 0');
    expect(r.stdout).toContain('socket gone');
    expect(r.stdout).toContain('stop again 0');
    expect(r.stderr).toContain('bia: no helper running at');
    expect(r.stdout).toContain('term 143');
    expect(r.stdout).toContain('sleeps 0');
    expect(r.stdout).toContain('bad flag 2');
    expect(r.stderr).toContain('bia: unknown option --bogus');
    expect(r.stdout).toContain('bia - run IPv4-only programs');
    // --help teaches every command: a usage line and at least one example.
    const help = r.stdout.slice(r.stdout.indexOf('HELP-START'), r.stdout.indexOf('HELP-END'));
    for (const command of ['run', 'env', 'status', 'doctor', 'stop', 'helper', 'demo']) {
      expect(help.match(new RegExp(`^  (eval "\\$\\()?bia ${command}\\b`, 'gm'))?.length, command).toBeGreaterThanOrEqual(2);
    }
  });

  it('--trace shows each translated call on stderr or in a file, for the program and its children', async () => {
    const r = await runInLab(String.raw`peer_serve_tcp 8080
cd "$LAB_DIR"
bia run --trace -- nc.traditional -w 2 v6only.test 8080 </dev/null 2>trace.err >/dev/null; echo "trace $?"
cat trace.err
bia run --trace-file rel.log -- sh -c 'nc.traditional -w 2 v6only.test 8080; nc.traditional -w 2 dual.test 8080' </dev/null 2>file.err >/dev/null; echo "file $?"
echo "in file $(grep -c '^bia\[[0-9]*\]: connect ' rel.log)"
echo "on stderr $(grep -c 'connect' file.err)"
bia run --trace-file /no/such/dir/t.log -- true; echo "bad file $?"
BIA_LOG_FILE=relative.log BIA_LOG=info bia run -- true 2>&1 | grep -c 'ignoring BIA_LOG_FILE'`);
    expect(r.stdout, r.stderr).toContain('trace 0');
    expect(r.stdout).toMatch(/^bia\[\d+\]: connect 198\.18\.\d+\.\d+:8080 -> \[2001:db8:1::2\]:8080 \(v6only\.test\)$/m);
    expect(r.stdout).toContain('file 0');
    expect(r.stdout).toContain('in file 2');
    expect(r.stdout).toMatch(/^bia\[\d+\]: resolve v6only\.test: 198\.18\.\d+\.\d+ \(POOL 2001:db8:1::2\)$/m);
    expect(r.stdout).toContain('on stderr 0');
    expect(r.stdout).toContain('bad file 2');
    expect(r.stderr).toContain('bia: cannot write the trace file /no/such/dir/t.log');
    expect(r.stdout).toMatch(/^1$/m);
  });

  it('the config file, BIA_* and flags set the helper and the programs; status shows what is in force and why', async () => {
    const r = await runInLab(String.raw`cd "$LAB_DIR"; mkdir -p "$XDG_CONFIG_HOME/bia"
printf '{
  "pool": "10.77.0.0/16",
  "network": "ipv5"
}
' > "$XDG_CONFIG_HOME/bia/config.json"
bia run -- true; echo "bad config $?"
printf '{
  "pool": "10.77.0.0/16",
  "timeoutMs": 700
}
' > "$XDG_CONFIG_HOME/bia/config.json"
bia status >/dev/null; echo "before $?"
BIA_TIMEOUT_MS=900 bia run --log-level info -- python3 -c 'import socket; print("addr", socket.gethostbyname("v6only.test"))'
BIA_TIMEOUT_MS=900 bia status --network ipv6-only; echo "status $?"
bia status --json > status.json; echo "json $?"
python3 - <<'PY'
import json
s = json.load(open("status.json"))
h, c = s["helper"], s["config"]["values"]
print("json-helper", h["running"], h["pool"], h["network"], h["pid"] > 0)
print("json-config", c["pool"], c["network"], c["timeoutMs"])
PY
bia env --resolve-timeout-ms 3000 | grep TIMEOUT
BIA_POOL=nonsense bia status; echo "bad env $?"`);
    expect(r.stdout, r.stderr).toContain('bad config 78');
    expect(r.stderr).toMatch(/bia: \/\S+\/bia\/config\.json:3: "network" must be one of auto, dual, ipv6-only, ipv4-only \(got "ipv5"\)/);
    expect(r.stdout).toContain('before 3');
    expect(r.stdout).toMatch(/^addr 10\.77\.\d+\.\d+$/m);
    expect(r.stdout).toMatch(/^helper: +running, pid \d+$/m);
    expect(r.stdout).toMatch(/^network: ipv6-only \(as the helper sees it\)$/m);
    expect(r.stdout).toMatch(/^pool: +10\.77\.0\.0\/16$/m);
    expect(r.stdout).toMatch(/^ +network +ipv6-only +from --network$/m);
    expect(r.stdout).toMatch(/^ +pool +10\.77\.0\.0\/16 +from the config file$/m);
    expect(r.stdout).toMatch(/^ +timeoutMs +900 +from \$BIA_TIMEOUT_MS$/m);
    expect(r.stdout).toMatch(/^ +resolveTimeoutMs +8000 +default$/m);
    expect(r.stdout).toContain('status 0');
    expect(r.stdout).toContain('json 0');
    expect(r.stdout).toContain("json-helper True 10.77.0.0/16 ipv6-only True");
    expect(r.stdout).toContain("json-config {'value': '10.77.0.0/16', 'source': 'file'} {'value': 'auto', 'source': 'default'} {'value': 700, 'source': 'file'}");
    expect(r.stdout).toContain("export BIA_TIMEOUT_MS='700';\nexport BIA_RESOLVE_TIMEOUT_MS='3000';");
    expect(r.stdout).toContain('bad env 78');
    expect(r.stderr).toContain('bia: BIA_POOL=nonsense: expected an IPv4 network such as 198.18.0.0/15');
  });

  it('doctor tells which programs bia can reach, and why not, with a fix', async () => {
    const r = await runInLab(String.raw`cd "$LAB_DIR"
printf 'int main(void){return 0;}\n' > t.c
cc -static -o static t.c
printf 'const char b[] __attribute__((section(".go.buildinfo"))) = "Go buildinf:";\nint main(void){return b[0];}\n' > g.c
cc -static -o gofake g.c
cc -Wl,--dynamic-linker=/lib/ld-musl-x86_64.so.1 -o muslfake t.c
cp /bin/true captrue; setcap cap_net_raw+ep captrue
printf '#!/usr/bin/env true\n' > script; chmod +x script
bia doctor; echo "no helper $?"
bia run -- true
for p in ./static ./gofake ./muslfake ./captrue /usr/bin/passwd ./script; do bia doctor $p; echo "$p $?"; done
mkdir -m 777 open; bia doctor --socket "$PWD/open/h.sock"; echo "open dir $?"`);
    const out = r.stdout;
    expect(out, r.stderr).toMatch(/^ok +helper: not running; bia run or bia env will start it/m);
    expect(out).toContain('no helper 0');
    expect(out).toMatch(/^ok +helper: running, pid \d+, pool 198\.18\.0\.0\/15$/m);
    expect(out).toMatch(/^ok +network: IPv6 only/m);
    // The lab has no NAT64: said, with what it means here and what to do.
    expect(out).toMatch(/^note +NAT64: none \(RFC 7050 discovery found no NAT64 prefix; learnt again in \d+s\); IPv4-only peers and IPv4 literals are unreachable here\n +fix: if the network has a NAT64/m);
    expect(out).toMatch(/^ok +\.\/static is statically linked, so no loader preloads bia: bia run runs it under its seccomp supervisor \(it needs Linux 5\.9 or later; this is \S+\)$/m);
    // Its names (Go's own resolver) are steered too: nothing left to note.
    expect(out).toMatch(/^ok +\.\/gofake is a statically linked Go program: bia run runs it under its seccomp supervisor \(.*\)$/m);
    // The musl build of the preload reaches it when built (scripts/musl-preload.mjs), else the supervisor.
    expect(out).toMatch(muslPreloadLibrary()
      ? /^ok +\S+\/muslfake: dynamically linked against musl; bia can reach it with its musl build of the preload$/m
      : /^ok +\.\/muslfake uses musl \(loader \/lib\/ld-musl-x86_64\.so\.1\), which cannot load bia's glibc library: bia run runs it under its seccomp supervisor/m);
    // Not a problem: bia run runs it through its loader, without them.
    expect(out).toMatch(/^note +\.\/captrue has file capabilities \(cap_net_raw=ep\): for a user other than root, bia run runs it through its loader \(ld\.so\), without them/m);
    expect(out).toMatch(/^PROBLEM \/usr\/bin\/passwd is set-uid: bia cannot reach it\n +fix: the loader ignores LD_PRELOAD/m);
    expect(out).toMatch(/^note +\.\/script is a script run by true.*\nok +\/usr\/bin\/true: dynamically linked against glibc; bia can reach it$/m);
    expect(out.match(/^\S+ [01]$/gm)).toEqual(['./static 0', './gofake 0', './muslfake 0', './captrue 0', '/usr/bin/passwd 1', './script 0']);
    expect(out).toMatch(/^PROBLEM helper: refusing the helper socket \S+\/open\/h\.sock: its directory \S+\/open is yours but has mode 0777, not 0700: run 'chmod 0700 \S+\/open'$/m);
    expect(out).toContain('open dir 1');
  });
});
