// End to end: statically linked programs, which no preload reaches, reach
// an IPv6-only peer through a pool address under bia run's seccomp
// supervisor (supervisor/, docs/supervisor.md). Each case runs its control:
// the same program without bia fails. The pool address is v6only.test's,
// as a program that got it from bia (here: getent under bia) would hold it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen, toolMissing } from '../support/skip.js';
import { cBuilt, goBuilt, POOL_ADDR, poolAddress } from '../support/static-programs.js';

const dir = mkdtempSync(join(tmpdir(), 'bia-supervisor-'));
const CLIENT = join(dir, 'static_client');

const clientMissing = toolMissing(cBuilt('gcc', 'static_client.c', CLIENT), 'gcc -static cannot build test/c/static_client.c (apt-get install gcc libc6-dev)');
const MUSL_CLIENT = join(dir, 'musl_client');
const MUSL_DYNAMIC = join(dir, 'musl_dynamic');
const muslMissing = toolMissing(cBuilt('musl-gcc', 'static_client.c', MUSL_CLIENT) && cBuilt('musl-gcc', 'static_client.c', MUSL_DYNAMIC, false), 'musl-gcc cannot build test/c/static_client.c (apt-get install musl-tools)');
const GO_CLIENT = join(dir, 'pool_client');
const goMissing = toolMissing(goBuilt('pool_client.go', GO_CLIENT, dir), 'go cannot build test/go/pool_client.go (apt-get install golang-go)');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a statically linked program under the supervisor', skipWhen(labMissing, clientMissing), () => {
  it('gcc -static: connects to a pool address, exchanges bytes with the IPv6-only peer, and reads back the IPv4 addresses it expects', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
${CLIENT} "$addr" 8080; echo "RESULT plain $?"
bia run -- ${CLIENT} "$addr" 8080; echo "RESULT bia $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.stdout).toMatch(/^connected (ENETUNREACH|EHOSTUNREACH)$/m);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 8080`);
    expect(r.stdout).toMatch(/^sockname family inet len 16 addr 192\.0\.0\.2 port \d+$/m);
    expect(r.stdout).toMatch(/^greeting hello from the IPv6-only peer, you are \[2001:0?db8:/m);
  });

  it('getpeername and getsockname with a short, negative or bad length, or a bad address: what the kernel does with an IPv4 socket of its own', async () => {
    // The control: the same calls on a loopback IPv4 connection, answered by the kernel.
    const r = await lab(`peer_serve_tcp 8080
socat TCP4-LISTEN:8090,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo hello from loopback' &
lab_wait "the loopback service" sh -c 'ss -Htln "sport = :8090" | grep -q .'
${POOL_ADDR}
${CLIENT} -s 127.0.0.1 8090 >"$LAB_DIR/kernel"; echo "RESULT kernel $?"
bia run -- ${CLIENT} -s "$addr" 8080 >"$LAB_DIR/bia"; echo "RESULT bia $?"
cat "$LAB_DIR/bia"
grep -E '^(short|negative|bad)' "$LAB_DIR/kernel" | sed 's/^/KERNEL /'
grep -E '^(short|negative|bad)' "$LAB_DIR/bia" | sed 's/^/BIA /'`);
    poolAddress(r.stdout);
    expect(r.rc('kernel')).toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    const kernel = [...r.stdout.matchAll(/^KERNEL (.*)$/gm)].map((m) => m[1]);
    const bia = [...r.stdout.matchAll(/^BIA (.*)$/gm)].map((m) => m[1]);
    expect(kernel).toEqual(['short rc 0 len 16 family inet rest untouched yes', 'negative rc -1 EINVAL', 'bad length pointer rc -1 EFAULT', 'bad address rc -1 EFAULT']);
    expect(bia).toEqual(kernel);
  });

  it('options set before the connect (TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE, SO_RCVBUF) survive the swap: the values the kernel keeps on its own IPv4 socket', async () => {
    const r = await lab(`peer_serve_tcp 8080
socat TCP4-LISTEN:8090,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo hello from loopback' &
lab_wait "the loopback service" sh -c 'ss -Htln "sport = :8090" | grep -q .'
${POOL_ADDR}
${CLIENT} -o 127.0.0.1 8090 | grep '^option' | sed 's/^/KERNEL /'
bia run -- ${CLIENT} -o "$addr" 8080 >"$LAB_DIR/bia"; echo "RESULT bia $?"
grep '^option' "$LAB_DIR/bia" | sed 's/^/BIA /'`);
    poolAddress(r.stdout);
    expect(r.rc('bia'), r.stderr).toBe(0);
    const kernel = [...r.stdout.matchAll(/^KERNEL (.*)$/gm)].map((m) => m[1]);
    const bia = [...r.stdout.matchAll(/^BIA (.*)$/gm)].map((m) => m[1]);
    expect(kernel.slice(0, 3)).toEqual(['option nodelay 1', 'option keepalive 1', 'option keepidle 77']);
    expect(kernel[3]).toMatch(/^option rcvbuf \d+$/);
    expect(bia).toEqual(kernel);
  });

  it('O_NONBLOCK: the connect answers EINPROGRESS as the kernel does, completes, and the socket stays non-blocking', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
${CLIENT} -n "$addr" 8080; echo "RESULT plain $?"
bia run -- ${CLIENT} -n "$addr" 8080; echo "RESULT bia $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^connect EINPROGRESS\nnonblock yes\nconnected OK$/m);
    expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 8080`);
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
  });

  it('a port nobody listens on: the program sees the ECONNREFUSED of the kernel', async () => {
    const r = await lab(`${POOL_ADDR}
bia run -- ${CLIENT} "$addr" 8081; echo "RESULT bia $?"
bia run -- ${CLIENT} -n "$addr" 8081; echo "RESULT nonblock $?"`);
    poolAddress(r.stdout);
    expect(r.rc('bia')).not.toBe(0);
    expect(r.rc('nonblock')).not.toBe(0);
    expect(r.stdout.match(/^connected ECONNREFUSED$/gm), r.stdout).toHaveLength(2);
  });

  it('a forked child of the supervised program is served too (the filter is inherited)', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
${CLIENT} -f "$addr" 8080; echo "RESULT plain $?"
bia run -- ${CLIENT} -f "$addr" 8080; echo "RESULT bia $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 8080`);
    expect(r.stdout).toMatch(/^child exit 0$/m);
  });

  it('a static program a supervised shell executes is served too (the filter survives execve)', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
sh -c '${CLIENT} "$1" 8080' sh "$addr"; echo "RESULT plain $?"
bia run --supervise -- sh -c '${CLIENT} "$1" 8080; echo "exit $?"' sh "$addr"; echo "RESULT bia $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 8080`);
    expect(r.stdout).toMatch(/^exit 0$/m);
  });

  it('a set-uid static program is not supervised (it would lose its privileges): bia run warns and runs it untranslated', async () => {
    const r = await lab(`${POOL_ADDR}
cp ${CLIENT} "$LAB_DIR/suid_client"; chmod u+s "$LAB_DIR/suid_client"
bia run -- "$LAB_DIR/suid_client" "$addr" 8080 2>&1; echo "RESULT bia $?"`);
    poolAddress(r.stdout);
    expect(r.rc('bia')).not.toBe(0);
    expect(r.stdout).toMatch(/^bia: warning: \S+\/suid_client is set-uid/m);
    expect(r.stdout).toMatch(/^connected (ENETUNREACH|EHOSTUNREACH)$/m);
  });

  it('bia run --supervise puts a dynamically linked program under the supervisor too', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
bia run --supervise -- python3 -c '
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("'"$addr"'", 8080))
print("peername", s.getpeername()[0])
print("greeting", s.recv(200).decode().strip())
print("parent", open("/proc/%d/comm" % os.getppid()).read().strip())
'; echo "RESULT bia $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`peername ${addr}`);
    expect(r.stdout).toMatch(/^parent bia-supervise$/m);
  });

  it('the supervisor killed mid-run: the next connect of the program fails at once with ENOSYS, nothing hangs', async () => {
    // The client connects every 300 ms; its parent is the supervisor.
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
bia run -- ${CLIENT} -l 8 "$addr" 8080 >"$LAB_DIR/out" 2>&1 &
bia=$!
lab_wait "the first connection" grep -q "^greeting" "$LAB_DIR/out"
client=$(sed -n 's/^pid \\([0-9]*\\) ppid .*/\\1/p' "$LAB_DIR/out")
kill -KILL "$(sed -n 's/^pid [0-9]* ppid //p' "$LAB_DIR/out")"
wait "$bia"; echo "RESULT bia $?"
while kill -0 "$client" 2>/dev/null; do sleep 0.1; done
cat "$LAB_DIR/out"`, { timeoutMs: 30_000 });
    poolAddress(r.stdout);
    expect(r.rc('bia')).toBe(128 + 9);
    expect(r.stdout).toMatch(/^greeting hello from the IPv6-only peer/m);
    expect(r.stdout).toMatch(/^connected ENOSYS$/m);
  });

  it('the helper stopped mid-run: the next connect to a pool address fails with EHOSTUNREACH, as in the preload', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
bia run -- ${CLIENT} -l 8 "$addr" 8080 >"$LAB_DIR/out" 2>"$LAB_DIR/err" &
lab_wait "the first connection" grep -q "^greeting" "$LAB_DIR/out"
client=$(sed -n 's/^pid \\([0-9]*\\) ppid .*/\\1/p' "$LAB_DIR/out")
bia stop >/dev/null; echo "RESULT stop $?"
while kill -0 "$client" 2>/dev/null; do sleep 0.1; done
cat "$LAB_DIR/out" "$LAB_DIR/err"`, { timeoutMs: 30_000 });
    poolAddress(r.stdout);
    expect(r.rc('stop')).toBe(0);
    expect(r.stdout).toMatch(/^greeting hello from the IPv6-only peer/m);
    expect(r.stdout).toMatch(/^connected EHOSTUNREACH$/m);
    expect(r.stdout).toMatch(/^bia\[\d+\]: supervisor: cannot (reach|use) the helper/m);
  });

  it('bia run killed outright: the supervised program does not outlive it', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
bia run -- ${CLIENT} -l 100 "$addr" 8080 >"$LAB_DIR/out" 2>&1 &
lab_wait "the first connection" grep -q "^greeting" "$LAB_DIR/out"
client=$(sed -n 's/^pid \\([0-9]*\\) ppid .*/\\1/p' "$LAB_DIR/out")
supervisor=$(sed -n 's/^pid [0-9]* ppid //p' "$LAB_DIR/out")
# bia run is the supervisor's parent (the shell's job is a subshell).
kill -KILL "$(ps -o ppid= -p "$supervisor")"
lab_wait "the program to end" sh -c "! kill -0 $client 2>/dev/null"; echo "RESULT gone $?"`, { timeoutMs: 30_000 });
    poolAddress(r.stdout);
    expect(r.rc('gone'), r.stderr).toBe(0);
  });

  it('UDP: a connected datagram socket to a pool address sends to the IPv6-only peer and reads back the pool address', async () => {
    // The peer logs what it received, and from where.
    const r = await lab(`peer python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 9000))
while True:
    data, peer = s.recvfrom(200)
    print("peer got", data.decode().strip(), "from", peer[0], flush=True)
' >"$LAB_DIR/udp.log" &
lab_wait "the peer's UDP echo" peer_listening_udp 9000
${POOL_ADDR}
${CLIENT} -u "$addr" 9000; echo "RESULT plain $?"
bia run -- ${CLIENT} -u "$addr" 9000; echo "RESULT bia $?"
lab_wait "the datagram" grep -q "peer got" "$LAB_DIR/udp.log"
cat "$LAB_DIR/udp.log"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 9000`);
    expect(r.stdout).toMatch(/^sent 5$/m);
    expect(r.stdout).toMatch(/^peer got ping from 2001:db8:1::1$/m);
  });

  it('UDP connected again to another pool address: getpeername follows, and both datagrams reach the peer', async () => {
    const r = await lab(`peer python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 9000))
while True:
    data, peer = s.recvfrom(200)
    print("peer got", data.decode().strip(), flush=True)
' >"$LAB_DIR/udp.log" &
lab_wait "the peer's UDP echo" peer_listening_udp 9000
set -- $(bia run -- getent ahostsv4 multi.test | awk '{print $1}' | sort -u)
echo "FIRST $1"; echo "SECOND $2"
bia run -- ${CLIENT} -u -r "$2" "$1" 9000; echo "RESULT bia $?"
lab_wait "the datagrams" grep -q "peer got pong" "$LAB_DIR/udp.log"
cat "$LAB_DIR/udp.log"`);
    const second = r.stdout.match(/^SECOND (198\.1[89]\.\d+\.\d+)$/m)?.[1];
    expect(second, r.stdout).toBeDefined();
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^connect again OK$/m);
    expect(r.stdout).toContain(`peername again family inet len 16 addr ${second} port 9000`);
    expect(r.stdout).toMatch(/^peer got ping$/m);
    expect(r.stdout).toMatch(/^peer got pong$/m);
  });
});

describe('musl programs under the supervisor', skipWhen(labMissing, muslMissing), () => {
  // A dynamic one: musl's loader cannot load the glibc preload (it would
  // refuse to start the program), so it gets the supervisor alone.
  for (const [kind, client] of [['musl-gcc -static', MUSL_CLIENT], ['musl-gcc, dynamically linked', MUSL_DYNAMIC]]) {
    it(`${kind}: connects to a pool address and reads back the pool address`, async () => {
      const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
${client} "$addr" 8080; echo "RESULT plain $?"
bia run -- ${client} "$addr" 8080; echo "RESULT bia $?"`);
      const addr = poolAddress(r.stdout);
      expect(r.rc('plain')).not.toBe(0);
      expect(r.rc('bia'), r.stderr).toBe(0);
      expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 8080`);
      expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
    });
  }
});

describe('a Go program built with CGO_ENABLED=0 under the supervisor', skipWhen(labMissing, goMissing), () => {
  it('dials a pool address literal (non-blocking, as Go does) and sees the IPv4 addresses it dialed', async () => {
    const r = await lab(`peer_serve_tcp 8080
${POOL_ADDR}
${GO_CLIENT} "$addr:8080"; echo "RESULT plain $?"
bia run -- ${GO_CLIENT} "$addr:8080"; echo "RESULT bia $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain(`remote ${addr}:8080`);
    expect(r.stdout).toMatch(/^local 192\.0\.0\.2:\d+$/m);
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
  });

  // Go's own resolver reads resolv.conf and asks the IPv6 server itself: its
  // connect to port 53 goes to the helper's DNS endpoint, whose A answer for
  // the AAAA-only name is a pool address.
  it('resolves an AAAA-only name with its own resolver (tcp4: A) and dials its pool address', async () => {
    const r = await lab(`peer_serve_tcp 8080
${GO_CLIENT} v6only.test:8080 tcp4; echo "RESULT plain $?"
bia run -- ${GO_CLIENT} v6only.test:8080 tcp4; echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^remote 198\.1[89]\.\d+\.\d+:8080$/m);
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
  });
});
