// End to end: what `bia run --trace` prints for each kind of translated
// call (resolve, connect, sendto, recvfrom, bind, accept), made by real
// programs in the IPv6-only lab, with the name each address stands for:
// the one the program resolved itself, else the one the helper knows
// (NAME4), else none.
import { describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen } from '../support/skip.js';

const POOL = String.raw`198\.1[89]\.\d+\.\d+`;
const PID = String.raw`^bia\[\d+\]: `;

function line(text: string): RegExp {
  return new RegExp(`${PID}${text}$`, 'm');
}

describe('bia run --trace', skipWhen(labMissing), () => {
  it('prints every translated call with the name its address stands for', async () => {
    const r = await lab(String.raw`peer_serve_tcp 8080
peer_udp() { peer ss -Huln "sport = :$1" | grep -q .; }
host_tcp() { ss -Htln "sport = :$1" | grep -q .; }
peer python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("2001:db8:1::2", 9000))
while True:
    d, a = s.recvfrom(2000)
    s.sendto(d, a)
' &
lab_wait "the peer's UDP echo" peer_udp 9000
cd "$LAB_DIR"

# Resolved in the process (getaddrinfo), then connected.
bia run --trace -- nc.traditional -w 2 v6only.test 8080 </dev/null >/dev/null 2>connect.err
echo "RESULT connect $?"; sed 's/^/connect: /' connect.err

# UDP: gethostbyname, sendto, recvfrom.
bia run --trace -- python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"ping", (socket.gethostbyname("v6only.test"), 9000))
print("udp", s.recvfrom(100)[0].decode())
' 2>udp.err; echo "RESULT udp $?"; sed 's/^/udp: /' udp.err

# A server: bind, then accept a client from an address a name led to
# (v6only.test, resolved by the programs above) and one no name led to.
bia run --trace -- python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8005))
s.listen()
for _ in range(2):
    c, a = s.accept()
    c.sendall(b"served\n")
    c.close()
' 2>server.err &
server=$!
lab_wait "the traced server" host_tcp 8005
peer socat -T 2 - 'TCP6:[2001:db8:1::1]:8005,bind=[2001:db8:1::2]' </dev/null
peer socat -T 2 - 'TCP6:[2001:db8:1::1]:8005,bind=[2001:db8:1::3]' </dev/null
wait $server; echo "RESULT server $?"; sed 's/^/server: /' server.err

# An address this process did not resolve: another one did (dual.test's
# A record, paired with its AAAA), so the helper knows its name.
bia run -- python3 -c 'import socket; socket.gethostbyname("dual.test")'
bia run --trace -- nc.traditional -n -w 2 192.0.2.10 8080 </dev/null >/dev/null 2>numeric.err
echo "RESULT numeric $?"; sed 's/^/numeric: /' numeric.err

# Without --trace the same program prints nothing.
bia run -- nc.traditional -w 2 v6only.test 8080 </dev/null >/dev/null 2>quiet.err
echo "RESULT quiet $?"; echo "quiet lines $(wc -l <quiet.err)"`);
    const out = r.stdout;
    expect(r.rc('connect'), r.stderr).toBe(0);
    expect(out).toMatch(new RegExp(`^connect: ${PID.slice(1)}resolve v6only\\.test: ${POOL} \\(POOL 2001:db8:1::2\\)$`, 'm'));
    expect(out).toMatch(new RegExp(`^connect: ${PID.slice(1)}connect ${POOL}:8080 -> \\[2001:db8:1::2\\]:8080 \\(v6only\\.test\\)$`, 'm'));

    expect(r.rc('udp'), r.stderr).toBe(0);
    expect(out).toMatch(/^udp ping$/m);
    const udp = out.split('\n').filter((l) => l.startsWith('udp: ')).map((l) => l.slice(5)).join('\n');
    expect(udp).toMatch(line(`sendto ${POOL}:9000 -> \\[2001:db8:1::2\\]:9000 \\(v6only\\.test\\)`));
    expect(udp).toMatch(line(`recvfrom \\[2001:db8:1::2\\]:9000 as ${POOL}:9000 \\(v6only\\.test\\)`));

    expect(r.rc('server'), r.stderr).toBe(0);
    expect(out.match(/^served$/gm)?.length).toBe(2);
    const server = out.split('\n').filter((l) => l.startsWith('server: ')).map((l) => l.slice(8)).join('\n');
    expect(server).toMatch(line('bind 0\\.0\\.0\\.0:8005 -> \\[::\\]:8005'));
    expect(server).toMatch(line(`accept \\[2001:db8:1::2\\]:\\d+ as ${POOL}:\\d+ \\(v6only\\.test\\)`));
    expect(server).toMatch(line(`accept \\[2001:db8:1::3\\]:\\d+ as ${POOL}:\\d+`));

    expect(r.rc('numeric'), r.stderr).toBe(0);
    expect(out).toMatch(new RegExp(`^numeric: ${PID.slice(1)}connect 192\\.0\\.2\\.10:8080 -> \\[2001:db8:1::2\\]:8080 \\(dual\\.test\\)$`, 'm'));

    expect(r.rc('quiet')).toBe(0);
    expect(out).toContain('quiet lines 0');
  });
});
