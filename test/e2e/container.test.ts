// bia for every process, as in a CI container (docs/containers.md): the
// image exports LD_PRELOAD and BIA_SOCKET, the entrypoint starts the helper,
// and programs started any other way (docker exec, a CI step) are translated
// without `bia run`. The helper must exempt itself from the preload it
// inherits.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

describe('bia in a container', skipWhen(labMissing), () => {
  it('translates programs not started by bia run, and keeps the helper exempt', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
# What the Dockerfile's ENV lines set for every process.
export LD_PRELOAD="$BIA_ROOT/build/Release/libbia.so" BIA_SOCKET="$XDG_RUNTIME_DIR/bia/helper.sock"
# A container's only user is root: its entrypoint opts in with --allow-root
# (the lab's own opt-in is taken away, so that this is what is tested).
unset BIA_ALLOW_ROOT
bia helper --log-level debug 2>"$LAB_DIR/refused.err"; echo "RESULT refused $?"
# The entrypoint: the helper in the background.
bia helper --allow-root --log-level debug 2>"$LAB_DIR/helper.err" &
lab_wait "the helper" test -S "$BIA_SOCKET"
nc.traditional -w 2 v6only.test 8080; echo "RESULT nc $?"
python3 -c 'import socket; s = socket.socket(); s.settimeout(3); s.connect((socket.gethostbyname("dual.test"), 8080)); print("py", s.getpeername()[0])'; echo "RESULT py $?"
helper=$(pgrep -f '[m]ain.js helper' | while read -r p; do tr '\0' '\n' </proc/$p/environ | grep -qx BIA_INSIDE_HELPER=1 && echo "$p"; done | head -1)
echo "exempt ${'$'}{helper:+yes}"
grep -q libbia.so "/proc/$helper/maps" && echo "helper-maps-library yes"
# Control: the same program with the preload but no helper fails fast and says why.
BIA_SOCKET=$LAB_DIR/nobody.sock nc.traditional -w 2 v6only.test 8080; echo "RESULT nohelper $?"`);
    expect(r.rc('refused'), 'without --allow-root, root gets a refusal').toBe(78);
    expect(r.rc('nc'), r.stderr).toBe(0);
    expect(r.stdout).toContain('hello from the IPv6-only peer');
    expect(r.rc('py'), r.stderr).toBe(0);
    expect(r.stdout).toContain('py 192.0.2.10');
    expect(r.stdout).toContain('exempt yes');
    expect(r.stdout).toContain('helper-maps-library yes');
    expect(r.rc('nohelper')).not.toBe(0);
    expect(r.stderr).toMatch(/bia\[\d+\]: .*helper/);
  });
});
