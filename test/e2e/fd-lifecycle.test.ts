// End to end: a translated socket keeps looking IPv4 in the programs that
// inherit it across fork and exec: python3 subprocess with pass_fds,
// socat's EXEC: and SYSTEM: addresses (execvp and system()), and a bash
// /dev/tcp redirection handed to a child.
// The child (child.py) wraps the inherited descriptor and writes what
// getpeername says. Every case also runs its control: the same command
// without bia fails.
import { describe, expect, it } from 'vitest';
import { labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';
import { runInLab } from '../../src/lab/lab.js';

const SETUP = String.raw`peer_serve_tcp 8080
d=$(mktemp -d)
cat > "$d/child.py" <<'PY'
import socket, sys
s = socket.socket(fileno=int(sys.argv[1]))
with open(sys.argv[2], "w") as out:
    print("child-peer", *s.getpeername()[:2], file=out)
s.detach()
PY
cat > "$d/parent.py" <<'PY'
import socket, subprocess, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(3)
s.connect((socket.gethostbyname("v6only.test"), 8080))
print("parent-peer", *s.getpeername()[:2])
r = subprocess.run([sys.executable, sys.argv[1], str(s.fileno()), sys.argv[2]],
                   pass_fds=[s.fileno()])
sys.exit(r.returncode)
PY
# case NAME CMD...: runs CMD, then prints its exit code and what the child saw.
case_() {
  local name=$1; shift
  "$@"; echo "RESULT $name $?"
  echo "SAW $name $(cat "$d/$name.out" 2>/dev/null)"
}
`;

function result(stdout: string, name: string): { rc: number; saw: string } {
  const rc = stdout.match(new RegExp(`^RESULT ${name} (\\d+)$`, 'm'));
  const saw = stdout.match(new RegExp(`^SAW ${name} (.*)$`, 'm'));
  if (!rc || !saw) throw new Error(`no result for ${name}:\n${stdout}`);
  return { rc: Number(rc[1]), saw: saw[1] };
}

describe('a translated socket inherited across exec', skipWhen(labMissing), () => {
  it('python3 subprocess(pass_fds), socat EXEC: and SYSTEM:, and a bash /dev/tcp redirection: the child sees the IPv4 peer', async () => {
    const r = await runInLab(`${SETUP}
case_ py-plain python3 "$d/parent.py" "$d/child.py" "$d/py-plain.out"
case_ py-bia bia run -- python3 "$d/parent.py" "$d/child.py" "$d/py-bia.out"
case_ socat-plain socat -T 3 TCP4:v6only.test:8080 EXEC:"python3 $d/child.py 0 $d/socat-plain.out",nofork
case_ socat-bia bia run -- socat -T 3 TCP4:v6only.test:8080 EXEC:"python3 $d/child.py 0 $d/socat-bia.out",nofork
case_ system-plain socat -T 3 TCP4:v6only.test:8080 SYSTEM:"python3 $d/child.py 0 $d/system-plain.out",nofork
case_ system-bia bia run -- socat -T 3 TCP4:v6only.test:8080 SYSTEM:"python3 $d/child.py 0 $d/system-bia.out",nofork
BASH_BODY='a=$(getent ahostsv4 v6only.test | awk "NR == 1 { print \\$1 }")
echo "pool $a"
exec 3<>"/dev/tcp/$a/8080" && python3 "$1/child.py" 3 "$1/$2.out"'
case_ bash-plain bash -c "$BASH_BODY" bash "$d" bash-plain
case_ bash-bia bia run -- bash -c "$BASH_BODY" bash "$d" bash-bia`);
    const out = r.stdout;
    const parentPeer = out.match(/^parent-peer (198\.1[89]\.\d+\.\d+) 8080$/m)?.[1];
    expect(parentPeer, `${out}\n${r.stderr}`).toBeDefined();
    expect(result(out, 'py-plain').rc).not.toBe(0);
    expect(result(out, 'py-bia'), r.stderr).toEqual({ rc: 0, saw: `child-peer ${parentPeer} 8080` });

    expect(result(out, 'socat-plain').rc).not.toBe(0);
    expect(result(out, 'socat-plain').saw).toBe('');
    expect(result(out, 'socat-bia').saw, r.stderr).toMatch(/^child-peer 198\.1[89]\.\d+\.\d+ 8080$/);
    // SYSTEM: goes through system(), whose shell glibc spawns internally.
    expect(result(out, 'system-plain').rc).not.toBe(0);
    expect(result(out, 'system-plain').saw).toBe('');
    expect(result(out, 'system-bia').saw, r.stderr).toMatch(/^child-peer 198\.1[89]\.\d+\.\d+ 8080$/);

    const pool = out.match(/^pool (198\.1[89]\.\d+\.\d+)$/m)?.[1];
    expect(pool, `${out}\n${r.stderr}`).toBeDefined();
    expect(result(out, 'bash-plain').rc).not.toBe(0);
    expect(result(out, 'bash-bia'), r.stderr).toEqual({ rc: 0, saw: `child-peer ${pool} 8080` });
  });
});
