// End to end: what the supervisor (supervisor/, docs/supervisor.md) does
// beyond connect for programs no preload reaches: datagrams sent with
// sendto/sendmsg on an unconnected socket and their replies read with
// recvfrom/recvmsg, musl's own resolver (which sends that way), and IPv4
// servers (bind 0.0.0.0, accept) reached by IPv6 clients. Each case runs
// its control: the same program without bia fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf.js';
import { resolveProgram } from '../../src/secure-exec.js';
import { lab, labMissing } from '../support/lab.js';
import { skipWhen, toolMissing } from '../support/skip.js';
import { cBuilt, goBuilt, POOL_ADDR, poolAddress } from '../support/static-programs.js';

const dir = mkdtempSync(join(tmpdir(), 'bia-supervisor-net-'));
const DGRAM = join(dir, 'static_dgram');
const SERVER = join(dir, 'static_server');
const CLIENT = join(dir, 'static_client');
const gccMissing = toolMissing(cBuilt('gcc', 'static_dgram.c', DGRAM) && cBuilt('gcc', 'static_server.c', SERVER) &&
  cBuilt('gcc', 'static_client.c', CLIENT), 'gcc -static cannot build test/c/static_{dgram,server,client}.c (apt-get install gcc libc6-dev)');
const MUSL_DGRAM = join(dir, 'musl_dgram');
const muslMissing = toolMissing(cBuilt('musl-gcc', 'static_dgram.c', MUSL_DGRAM), 'musl-gcc cannot build test/c/static_dgram.c (apt-get install musl-tools)');
const GO_SERVER = join(dir, 'tcp4_server');
const goMissing = toolMissing(goBuilt('tcp4_server.go', GO_SERVER, dir), 'go cannot build test/go/tcp4_server.go (apt-get install golang-go)');
const busybox = resolveProgram('busybox');
const busyboxMissing = toolMissing(busybox !== undefined && readElf(busybox)?.interpreter === undefined,
  'busybox is not installed statically linked (apt-get install busybox-static)');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A UDP echo on the peer, IPv6 only: "pong " and what it got, from
// v6only.test's address (bound to it: the peer has another).
const PEER_ECHO = String.raw`peer python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("'"$LAB_PEER6"'", 9000))
while True:
    data, peer = s.recvfrom(200)
    s.sendto(b"pong " + data, peer)
' &
lab_wait "the peer's UDP echo" peer_listening_udp 9000`;

// The same echo on this host's loopback, IPv4: the kernel's own answers.
const LOOPBACK_ECHO = String.raw`python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 9000))
while True:
    data, peer = s.recvfrom(200)
    s.sendto(b"pong " + data, peer)
' &
lab_wait "the loopback UDP echo" sh -c 'ss -Huln "sport = :9000" | grep -q .'`;

// Lines starting with PREFIX, without it.
function lines(stdout: string, prefix: string): string[] {
  return [...stdout.matchAll(new RegExp(`^${prefix} (.*)$`, 'gm'))].map((m) => m[1]);
}

describe('datagrams on an unconnected socket under the supervisor', skipWhen(labMissing, gccMissing), () => {
  for (const [calls, flag] of [['sendto and recvfrom', ''], ['sendmsg and recvmsg', '-m']]) {
    it(`${calls} to a pool address reach the IPv6-only peer, whose reply comes from that pool address, written as the kernel writes an address`, async () => {
      const r = await lab(`${PEER_ECHO}
${LOOPBACK_ECHO}
${POOL_ADDR}
${DGRAM} ${flag} "$addr" 9000; echo "RESULT plain $?"
${DGRAM} ${flag} 127.0.0.1 9000 | sed 's/^/KERNEL /'
bia run -- ${DGRAM} ${flag} "$addr" 9000 | sed 's/^/BIA /'; echo "RESULT bia $?"`);
      const addr = poolAddress(r.stdout);
      expect(r.rc('plain')).not.toBe(0);
      expect(r.stdout).toMatch(/^send error Network is unreachable$/m);
      expect(r.rc('bia'), r.stderr).toBe(0);
      const bia = lines(r.stdout, 'BIA');
      expect(bia).toContain(`reply pong ping from ${addr} port 9000 len 16 family inet`);
      // A 4-byte buffer: what the kernel leaves in it for an IPv4 socket of its own.
      expect(bia.filter((l) => l.startsWith('short'))).toEqual(lines(r.stdout, 'KERNEL').filter((l) => l.startsWith('short')));
      expect(bia).toContain('short len 16 family inet port 9000 rest untouched yes');
    });
  }
});

describe('a static glibc\'s own resolver under the supervisor', skipWhen(labMissing, gccMissing), () => {
  // glibc connects its socket to the server (steered at connect) and takes
  // only replies whose source, read with recvfrom, is the server it asked.
  it('gcc -static: getaddrinfo (AF_INET) of an AAAA-only name gives its pool address', async () => {
    const r = await lab(`${PEER_ECHO}
${DGRAM} v6only.test 9000; echo "RESULT plain $?"
bia run -- ${DGRAM} v6only.test 9000; echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    const addr = r.stdout.match(/^resolved (198\.1[89]\.\d+\.\d+)$/m)?.[1];
    expect(addr, r.stdout).toBeDefined();
    expect(r.stdout).toContain(`reply pong ping from ${addr} port 9000 len 16 family inet`);
  });
});

describe('musl\'s own resolver under the supervisor', skipWhen(labMissing, muslMissing), () => {
  // musl sends its questions with sendto on an unconnected socket and takes
  // only replies from the server it asked: the question goes to the helper's
  // DNS endpoint, the reply shows the server's address.
  it('musl-gcc -static: getaddrinfo (AF_INET) of an AAAA-only name gives its pool address, and datagrams to it reach the peer', async () => {
    const r = await lab(`${PEER_ECHO}
${MUSL_DGRAM} v6only.test 9000; echo "RESULT plain $?"
bia run -- ${MUSL_DGRAM} v6only.test 9000; echo "RESULT bia $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.stdout).toMatch(/^resolve error /m);
    expect(r.rc('bia'), r.stderr).toBe(0);
    const addr = r.stdout.match(/^resolved (198\.1[89]\.\d+\.\d+)$/m)?.[1];
    expect(addr, r.stdout).toBeDefined();
    expect(r.stdout).toContain(`reply pong ping from ${addr} port 9000 len 16 family inet`);
  });
});

describe('IPv4 servers under the supervisor, reached by IPv6 clients', skipWhen(labMissing, gccMissing), () => {
  // The client's output, then the server's as NAME lines (in $LAB_DIR/NAME);
  // the client on the peer, over IPv6.
  const serve = (name: string, server: string, client: string) => String.raw`${server} >"$LAB_DIR/${name}" 2>&1 &
srv=$!
lab_wait "the server" grep -q listening "$LAB_DIR/${name}"
${client}; echo "RESULT ${name} $?"
# A server nobody reached (the control) is ended after 3 s.
for i in $(seq 30); do kill -0 $srv 2>/dev/null || break; sleep 0.1; done
kill $srv 2>/dev/null
wait $srv 2>/dev/null
sed 's/^/${name.toUpperCase()} /' "$LAB_DIR/${name}"`;
  const tcpClient = (port: number) => `peer socat -T 3 - TCP6:[$LAB_HOST6]:${port} </dev/null`;

  it('gcc -static, bound to 0.0.0.0: accept4 and getpeername show the IPv6 client as a pool address, getsockname this host\'s 192.0.0.2', async () => {
    const r = await lab(`${serve('plain', SERVER + ' 8080', tcpClient(8080))}
${serve('bia', `bia run -- ${SERVER} 8080`, tcpClient(8080))}`);
    expect(r.rc('plain')).not.toBe(0);
    expect(lines(r.stdout, 'PLAIN')).toEqual(['listening']);
    const server = lines(r.stdout, 'BIA');
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello from the static server$/m);
    const accepted = server.find((l) => l.startsWith('accepted'));
    expect(accepted, r.stdout).toMatch(/^accepted family inet len 16 addr 198\.1[89]\.\d+\.\d+$/);
    expect(server).toContain(accepted!.replace('accepted', 'peername'));
    expect(server).toContain('sockname family inet len 16 addr 192.0.0.2');
  });

  it('gcc -static UDP, bound to 0.0.0.0: recvfrom shows the IPv6 client as a pool address, and sendto to it answers the client', async () => {
    const udpClient = `echo ping | peer socat -T 3 - UDP6:[$LAB_HOST6]:8081`;
    const r = await lab(`${serve('plain', SERVER + ' -u 8081', udpClient)}
${serve('bia', `bia run -- ${SERVER} -u 8081`, udpClient)}`);
    expect(lines(r.stdout, 'PLAIN')).toEqual(['listening']);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pong$/m);
    const server = lines(r.stdout, 'BIA');
    expect(server.find((l) => l.startsWith('received')), r.stdout).toMatch(/^received from family inet len 16 addr 198\.1[89]\.\d+\.\d+$/);
    expect(server).toContain('answered 5');
  });

  it('Go (CGO_ENABLED=0) listening on tcp4: the IPv6 client gets in, and Go sees a pool address', skipWhen(goMissing), async () => {
    const r = await lab(`${serve('plain', GO_SERVER + ' 8082', tcpClient(8082))}
${serve('bia', `bia run -- ${GO_SERVER} 8082`, tcpClient(8082))}`);
    expect(r.rc('plain')).not.toBe(0);
    expect(lines(r.stdout, 'PLAIN')).toEqual(['listening']);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello from the Go server$/m);
    const server = lines(r.stdout, 'BIA');
    expect(server.find((l) => l.startsWith('remote')), r.stdout).toMatch(/^remote 198\.1[89]\.\d+\.\d+:\d+$/);
    expect(server.find((l) => l.startsWith('local')), r.stdout).toMatch(/^local 192\.0\.0\.2:8082$/);
  });
});

describe('a client bound to 0.0.0.0 before its connect under the supervisor', skipWhen(labMissing, gccMissing), () => {
  // The bind makes the socket dual-stack AF_INET6: its connect to an IPv4
  // address of its own goes in v4-mapped form, to a pool address as usual.
  it('connects to a loopback IPv4 service and to a pool address, reading back the addresses it connected to', async () => {
    const r = await lab(`peer_serve_tcp 8080
socat TCP4-LISTEN:8090,bind=127.0.0.1,reuseaddr,fork SYSTEM:'echo hello from loopback' &
lab_wait "the loopback service" sh -c 'ss -Htln "sport = :8090" | grep -q .'
${POOL_ADDR}
bia run -- ${CLIENT} -b 127.0.0.1 8090; echo "RESULT loopback $?"
bia run -- ${CLIENT} -b "$addr" 8080; echo "RESULT pool $?"`);
    const addr = poolAddress(r.stdout);
    expect(r.rc('loopback'), r.stderr).toBe(0);
    expect(r.rc('pool'), r.stderr).toBe(0);
    expect(r.stdout.match(/^bind OK$/gm)).toHaveLength(2);
    expect(r.stdout).toContain('peername family inet len 16 addr 127.0.0.1 port 8090');
    expect(r.stdout).toContain('greeting hello from loopback');
    expect(r.stdout).toContain(`peername family inet len 16 addr ${addr} port 8080`);
    expect(r.stdout).toContain('greeting hello from the IPv6-only peer');
  });
});

describe('busybox-static clients under the supervisor', skipWhen(labMissing, busyboxMissing), () => {
  it('wget and nc reach the IPv6-only peer at a pool address', async () => {
    const r = await lab(`mkdir -p "$LAB_DIR/www"; echo "hello over http" >"$LAB_DIR/www/index.html"
(cd "$LAB_DIR/www" && peer python3 -m http.server --bind :: 8000 >/dev/null 2>&1) &
lab_wait "the peer's web server" peer_listening 8000
peer_serve_tcp 8080
${POOL_ADDR}
busybox wget -q -O - "http://$addr:8000/"; echo "RESULT wgetplain $?"
bia run -- busybox wget -q -O - "http://$addr:8000/"; echo "RESULT wget $?"
busybox nc -w 3 "$addr" 8080 </dev/null; echo "RESULT ncplain $?"
bia run -- busybox nc -w 3 "$addr" 8080 </dev/null; echo "RESULT nc $?"`);
    poolAddress(r.stdout);
    expect(r.rc('wgetplain')).not.toBe(0);
    expect(r.rc('ncplain')).not.toBe(0);
    expect(r.rc('wget'), r.stderr).toBe(0);
    expect(r.rc('nc'), r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello over http$/m);
    expect(r.stdout).toMatch(/^hello from the IPv6-only peer/m);
  });
});

describe('IPv4 literals outside the pool under the supervisor', skipWhen(labMissing, gccMissing), () => {
  // lab_nat64: the network's NAT64 (found by the helper through
  // ipv4only.arpa) gives v4only.test's 192.0.2.20 an IPv6 address.
  it('gcc -static connects to 192.0.2.20 through the NAT64 and reads back 192.0.2.20', async () => {
    const r = await lab(String.raw`lab_nat64
peer_serve_tcp 8080
${CLIENT} 192.0.2.20 8080; echo "RESULT plain $?"
bia run -- ${CLIENT} 192.0.2.20 8080; echo "RESULT bia $?"
bia run -- ${CLIENT} 127.0.0.1 8080; echo "RESULT loopback $?"`);
    expect(r.rc('plain')).not.toBe(0);
    expect(r.rc('bia'), r.stderr).toBe(0);
    expect(r.stdout).toContain('peername family inet len 16 addr 192.0.2.20 port 8080');
    expect(r.stdout).toMatch(/^greeting hello from the IPv6-only peer, you are \[2001:0?db8:/m);
    // Loopback stays the kernel's: nobody listens there.
    expect(r.stdout).toMatch(/^connected ECONNREFUSED$/m);
  });
});
