// The DNS endpoint: where the preload sends the DNS queries programs make
// themselves (dig, host, dnspython, c-ares), which never reach getaddrinfo
// (docs/function-mapper.md, "DNS that programs send themselves"). An
// unprivileged helper cannot take port 53, and a Unix socket would need the
// preload to carry every datagram itself, so it listens on loopback: one
// port per network side (dnsanswer.ts), each on 127.0.0.1 and ::1, UDP and
// TCP. The ports are written to SOCKET.dns beside the helper's socket, with
// the network namespace they are valid in, and the file is flocked while
// the helper runs; the preload reads them there, while the lock is held.
// Loopback is open to every user of the host, so a query is answered only
// for a uid the helper serves: the kernel's socket tables (/proc/net) name
// the owner of the port it came from.
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from '../log.js';
import { lockFile } from '../native.js';
import { enrAnswer, type EnrParts, type Side } from './dnsanswer.js';
import { loopbackOwner } from './loopback-owner.js';

export interface DnsEndpoint {
  readonly ports: Record<Side, number>;
  readonly file: string;
  close(): Promise<void>;
}

const SIDES: Side[] = ['ipv6-only', 'ipv4-only'];
/** Queries answered at once; more are dropped (the program retries, as after a lost datagram). */
const MAX_INFLIGHT = 256;
const TCP_IDLE_MS = 10_000;
const TRIES = 16;

interface Listeners {
  port: number;
  udp: dgram.Socket[];
  tcp: net.Server[];
  /** Open TCP connections, ended when the endpoint closes. */
  conns: Set<net.Socket>;
}

/** Listens, writes SOCKET.dns, and answers; undefined (and logged) when no port could be had. */
export async function startDnsEndpoint(socketPath: string, parts: EnrParts, admits: (uid: number) => boolean, log: Logger): Promise<DnsEndpoint | undefined> {
  let inflight = 0;
  const serve = (side: Side) => async (query: Buffer, transport: 'udp' | 'tcp', from: { address: string; port: number }, local: number): Promise<Buffer | undefined> => {
    if (inflight >= MAX_INFLIGHT) return undefined;
    const uid = loopbackOwner(transport, from.port, local);
    if (uid === undefined || !admits(uid)) {
      log.debug(`dns: refused a query from ${from.address}:${from.port} (uid ${uid ?? 'unknown'})`);
      return undefined;
    }
    inflight++;
    try {
      return await enrAnswer(query, transport, side, parts);
    } catch (err) {
      log.error(`dns: ${(err as Error).stack ?? err}`);
      return undefined;
    } finally {
      inflight--;
    }
  };
  const opened: Listeners[] = [];
  let ipv6 = true;
  for (const side of SIDES) {
    const got = await listenAll(serve(side));
    if (!got) {
      for (const l of opened) closeAll(l);
      log.warn('dns: no loopback port for the DNS endpoint; programs that send their own DNS queries get the servers\' answers untranslated');
      return undefined;
    }
    ipv6 &&= got.ipv6;
    opened.push(got.listeners);
  }
  const ports = { 'ipv6-only': opened[0].port, 'ipv4-only': opened[1].port };
  const file = `${socketPath}.dns`;
  // Held while the helper runs: the preload believes the file only while someone holds it.
  let held: number;
  try {
    writeEndpointFile(file, `${ports['ipv6-only']} ${ports['ipv4-only']} ${ipv6 ? 1 : 0} ${netnsInode()}\n`);
    held = lockFile(file);
  } catch (err) {
    // A socket systemd made elsewhere than where programs look: they find no endpoint either.
    await Promise.all(opened.map(closeAll));
    log.warn(`dns: cannot write ${file} (${(err as Error).message}); programs that send their own DNS queries get the servers' answers untranslated`);
    return undefined;
  }
  log.info(`dns: answering programs' own DNS queries on 127.0.0.1${ipv6 ? ' and ::1' : ''}, ports ${ports['ipv6-only']} (IPv6-only network) and ${ports['ipv4-only']} (IPv4-only network)`);
  return {
    ports,
    file,
    close: async () => {
      fs.rmSync(file, { force: true });
      fs.closeSync(held);
      await Promise.all(opened.map(closeAll));
    },
  };
}

type Serve = (query: Buffer, transport: 'udp' | 'tcp', from: { address: string; port: number }, local: number) => Promise<Buffer | undefined>;

// One port for UDP and TCP on both loopback addresses: the first free UDP
// port the kernel gives, tried again when its TCP twin is taken. ::1 is
// optional (a kernel without IPv6, a namespace whose lo has none).
async function listenAll(serve: Serve): Promise<{ listeners: Listeners; ipv6: boolean } | undefined> {
  for (let i = 0; i < TRIES; i++) {
    const first = await bindUdp('127.0.0.1', 0, serve);
    if (!first) return undefined;
    const port = first.address().port;
    const listeners: Listeners = { port, udp: [first], tcp: [], conns: new Set() };
    const tcp4 = await listenTcp('127.0.0.1', port, serve, listeners.conns);
    if (!tcp4) {
      closeAll(listeners);
      continue;
    }
    listeners.tcp.push(tcp4);
    const udp6 = await bindUdp('::1', port, serve);
    const tcp6 = udp6 ? await listenTcp('::1', port, serve, listeners.conns) : undefined;
    if (udp6) listeners.udp.push(udp6);
    if (tcp6) listeners.tcp.push(tcp6);
    return { listeners, ipv6: !!tcp6 };
  }
  return undefined;
}

function bindUdp(address: string, port: number, serve: Serve): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = address.includes(':') ? dgram.createSocket({ type: 'udp6', ipv6Only: true }) : dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind({ address, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.on('message', (msg, from) => {
        void serve(msg, 'udp', from, socket.address().port).then((answer) => answer && socket.send(answer, from.port, from.address));
      });
      resolve(socket);
    });
  });
}

function listenTcp(address: string, port: number, serve: Serve, conns: Set<net.Socket>): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer({ allowHalfOpen: true }, (conn) => {
      conns.add(conn);
      conn.on('close', () => conns.delete(conn));
      serveTcp(conn, serve, port);
    });
    server.once('error', () => resolve(undefined));
    server.listen({ host: address, port, ipv6Only: true, exclusive: true }, () => {
      server.removeAllListeners('error');
      server.on('error', () => undefined);
      resolve(server);
    });
  });
}

// RFC 7766: two-byte length before each message; replies as they are
// ready. A client that shuts its side after its queries still gets them.
function serveTcp(conn: net.Socket, serve: Serve, port: number): void {
  let got = Buffer.alloc(0);
  let pending = 0;
  let ended = false;
  const finish = () => ended && pending === 0 && conn.end();
  conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
  conn.on('error', () => conn.destroy());
  conn.on('end', () => {
    ended = true;
    finish();
  });
  const from = { address: conn.remoteAddress ?? '', port: conn.remotePort ?? 0 };
  conn.on('data', (chunk) => {
    got = Buffer.concat([got, chunk]);
    while (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
      const query = Buffer.from(got.subarray(2, 2 + got.readUInt16BE(0)));
      got = got.subarray(2 + query.length);
      pending++;
      void serve(query, 'tcp', from, port).then((answer) => {
        pending--;
        if (answer && !conn.destroyed) {
          const length = Buffer.alloc(2);
          length.writeUInt16BE(answer.length);
          conn.write(Buffer.concat([length, answer]));
        }
        finish();
      });
    }
  });
}

function closeAll(l: Listeners): Promise<void> {
  for (const u of l.udp) u.close();
  for (const c of l.conns) c.destroy();
  return Promise.all(l.tcp.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined);
}

// Written whole, then renamed, so that a program never reads half of it.
function writeEndpointFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** The inode of this process's network namespace: loopback ports mean nothing in another. */
function netnsInode(): string {
  try {
    return /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/net'))?.[1] ?? '0';
  } catch {
    return '0';
  }
}
