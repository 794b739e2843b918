// The DNS endpoint's way out (dnsendpoint.ts): a program's own query, as
// its bytes, to the servers of resolv.conf, in glibc's order (each server
// in turn, `attempts` rounds, `timeout` each). The bytes are not touched,
// so the program's id, the case of its question (0x20), its EDNS options
// and DO bit reach the server as it sent them; each query has a socket of
// its own, so replies are told apart by the socket and never by the id the
// program chose. A reply counts only from the server asked, with the
// query's id and question.
import dgram from 'node:dgram';
import net from 'node:net';
import { canonicalV6 } from '../wire/addresses.js';
import type { Nameserver, ResolvConf } from './resolvconf.js';

export type Transport = 'udp' | 'tcp';

export interface ForwardOptions {
  /** The servers' port (test servers); default 53. */
  port?: number;
}

const DNS_PORT = 53;
const HEADER = 12;

/** The reply of the first server that answers `query`, over `transport`; undefined when none did. */
export async function forward(query: Buffer, transport: Transport, conf: ResolvConf, options: ForwardOptions = {}): Promise<Buffer | undefined> {
  const port = options.port ?? DNS_PORT;
  for (let round = 0; round < conf.attempts; round++) {
    for (const ns of conf.nameservers) {
      const reply = await (transport === 'udp' ? udpExchange : tcpExchange)(ns, query, port, conf.timeout * 1000);
      if (reply) return reply;
    }
  }
  return undefined;
}

/** Whether a UDP reply says "ask again over TCP" (RFC 1035 4.2.1, RFC 7766). */
export const truncated = (reply: Buffer): boolean => reply.length >= HEADER && (reply[2] & 0x02) !== 0;

/** The end of the question section, or -1 when the message is too short to have one. */
function questionEnd(msg: Buffer): number {
  if (msg.length < HEADER) return -1;
  let at = HEADER;
  for (let q = msg.readUInt16BE(4); q > 0; q--) {
    while (at < msg.length && msg[at] !== 0) {
      if ((msg[at] & 0xc0) === 0xc0) {
        at += 1;
        break;
      }
      at += msg[at] + 1;
    }
    at += 1 + 4;
  }
  return at <= msg.length ? at : -1;
}

/**
 * The reply answers this query: same id, a response, the same question
 * (letters compared without case, as glibc's res_nameinquery does: not every
 * server keeps the case a query was sent in).
 */
export function answers(reply: Buffer, query: Buffer): boolean {
  const end = questionEnd(query);
  if (end < 0 || reply.length < end || (reply[2] & 0x80) === 0) return false;
  if (reply.readUInt16BE(0) !== query.readUInt16BE(0) || reply.readUInt16BE(4) !== query.readUInt16BE(4)) return false;
  for (let i = HEADER; i < end; i++) if (lower(reply[i]) !== lower(query[i])) return false;
  return true;
}

const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

const sameAddress = (a: string, ns: Nameserver) => (ns.family === 6 ? a.includes(':') && canonicalV6(a.split('%')[0]) === canonicalV6(ns.address) : a === ns.address);
const target = (ns: Nameserver) => (ns.zone ? `${ns.address}%${ns.zone}` : ns.address);

function udpExchange(ns: Nameserver, query: Buffer, port: number, waitMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(ns.family === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const done = (reply?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('error', () => done());
    socket.on('message', (msg, from) => {
      if (from.port === port && sameAddress(from.address, ns) && answers(msg, query)) done(msg);
    });
    socket.send(query, port, target(ns), (err) => err && done());
  });
}

/** One query over TCP (two-byte length prefix, RFC 1035 4.2.2). */
function tcpExchange(ns: Nameserver, query: Buffer, port: number, waitMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target(ns), port });
    let got = Buffer.alloc(0);
    let settled = false;
    const done = (reply?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('error', () => done());
    socket.on('close', () => done());
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
      const reply = got.subarray(2, 2 + got.readUInt16BE(0));
      done(answers(reply, query) ? reply : undefined);
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(query.length);
    socket.write(Buffer.concat([length, query]));
  });
}
