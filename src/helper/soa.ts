// RFC 2308 negative caching: a name that does not exist (NXDOMAIN) or has
// no record of a type (NODATA) may be believed for min(TTL, MINIMUM) of the
// SOA record in the authority section of that negative answer (section 5;
// a cache counts that TTL down, so the record's own TTL is what is left).
// node:dns (c-ares) shows neither that section nor an SOA record's TTL, so
// the helper asks the same question once more itself, over UDP to the
// servers of resolv.conf, with dns-packet for the wire format.
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import packet, { type DecodedPacket, type SoaAnswer } from 'dns-packet';
import { canonicalV6 } from '../wire/addresses.js';
import type { Nameserver, ResolvConf } from './resolvconf.js';

/** The whole exchange takes no longer (ms): a negative answer is worth caching, not worth waiting for. */
export const SOA_BUDGET_MS = 1500;
const DNS_PORT = 53;

export interface SoaOptions {
  /** The servers' port (test servers); default 53. */
  port?: number;
  budgetMs?: number;
  /** Ends every exchange under way (the resolve it serves was cancelled). */
  signal?: AbortSignal;
}

type QType = 'A' | 'AAAA';
/** What one reply says: the negative ttl; 'none' (no SOA, truncated, or the name has records now); 'next' (ask another server). */
type Verdict = number | 'none' | 'next';

/**
 * How long the negative answers to A and AAAA for `name` may be cached
 * (seconds): the smaller of the two SOA-derived ttls; undefined when either
 * has no SOA or no server answered within the budget, and the answer is
 * then not cached at all (RFC 2308 section 5).
 */
export async function negativeTtl(name: string, conf: ResolvConf, options: SoaOptions = {}): Promise<number | undefined> {
  const ttls = await Promise.all((['A', 'AAAA'] as const).map((type) => soaTtl(name, type, conf, options)));
  return ttls.some((t) => t === undefined) ? undefined : Math.min(...(ttls as number[]));
}

// glibc's order: each server in turn, `attempts` rounds, each try waiting
// `timeout`, all within the budget.
async function soaTtl(name: string, type: QType, conf: ResolvConf, options: SoaOptions): Promise<number | undefined> {
  const end = Date.now() + (options.budgetMs ?? SOA_BUDGET_MS);
  const perTry = Math.min(conf.timeout * 1000, (options.budgetMs ?? SOA_BUDGET_MS) / Math.max(1, conf.nameservers.length));
  for (let round = 0; round < conf.attempts; round++) {
    for (const ns of conf.nameservers) {
      const wait = Math.min(perTry, end - Date.now());
      if (wait <= 0 || options.signal?.aborted) return undefined;
      const reply = await exchange(ns, name, type, options.port ?? DNS_PORT, wait, options.signal);
      const verdict = reply ? judge(reply, type) : 'next';
      if (verdict !== 'next') return verdict === 'none' ? undefined : verdict;
    }
  }
  return undefined;
}

function judge(reply: DecodedPacket, type: QType): Verdict {
  if (reply.flag_tc) return 'none';
  const rcode = (reply as DecodedPacket & { rcode?: string }).rcode;
  const negative = rcode === 'NXDOMAIN' || (rcode === 'NOERROR' && !reply.answers?.some((a) => a.type === type));
  if (!negative) return rcode === 'NOERROR' ? 'none' : 'next';
  const soa = reply.authorities?.find((a): a is SoaAnswer => a.type === 'SOA');
  const minimum = soa?.data?.minimum;
  return soa?.ttl !== undefined && minimum !== undefined ? Math.min(soa.ttl, minimum) : 'none';
}

const sameAddress = (a: string, b: string) => (a.includes(':') ? canonicalV6(a.split('%')[0]) === canonicalV6(b) : a === b);

/** One query to one server; the reply, or undefined after `waitMs`. Only a reply from that server to this very question counts. */
function exchange(ns: Nameserver, name: string, type: QType, port: number, waitMs: number, signal?: AbortSignal): Promise<DecodedPacket | undefined> {
  const id = randomInt(0x10000);
  const query = packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name }] });
  return new Promise((resolve) => {
    const socket = dgram.createSocket(ns.family === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const done = (reply?: DecodedPacket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.close();
      resolve(reply);
    };
    const onAbort = () => done();
    const timer = setTimeout(done, waitMs);
    signal?.addEventListener('abort', onAbort);
    socket.on('error', () => done());
    socket.on('message', (msg, from) => {
      if (from.port !== port || !sameAddress(from.address, ns.address)) return;
      const reply = decode(msg);
      const q = reply?.questions?.[0];
      if (reply?.type === 'response' && reply.id === id && q?.type === type && q.name.toLowerCase() === name.toLowerCase()) done(reply);
    });
    socket.send(query, port, ns.zone ? `${ns.address}%${ns.zone}` : ns.address, (err) => err && done());
  });
}

// A datagram that is no DNS message is ignored, as a stray one would be.
function decode(msg: Buffer): DecodedPacket | undefined {
  try {
    return packet.decode(msg);
  } catch {
    return undefined;
  }
}
