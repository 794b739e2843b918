// What the DNS endpoint answers a program's own query with: what the
// extension name resolver (draft 2.2) would answer its getaddrinfo, from the
// same resolver and mapper. For a program on an IPv6-only network an A
// question for a name with only AAAA records gets the name's pool addresses
// (and a PTR question for a pool address the name); for one on an
// IPv4-only network an AAAA question for a name with only A records gets its
// synthesized addresses. Everything else is the servers' own reply, as bytes.
import { Kind, Status } from '../wire/messages.js';
import { forward, truncated, type Transport } from './dnsforward.js';
import { answersOf, chase, CLASS_IN, parse, Rcode, reply, truncate, TYPE, udpLimit, withAnswers, type Message } from './dnsmessage.js';
import { synthesizedPointer, v6FromArpa } from './dnsreverse6.js';
import type { AddressMapper } from './mapper.js';
import type { NameResolver, ResolveResult, Via } from './resolver.js';
import type { ResolvConf } from './resolvconf.js';
import type { Synthesizer } from './synth.js';

/** The network the program is on, as the preload steered it: which questions the ENR answers itself. */
export type Side = 'ipv6-only' | 'ipv4-only';

export interface EnrParts {
  resolver: NameResolver;
  /** The table the endpoint's answers use (scope host: the helper's one table). */
  mapper: AddressMapper;
  /** The helper's synthesized format, for PTR questions about its addresses. */
  synth: Synthesizer;
  via: Via;
  resolvConf: () => ResolvConf;
  /** Resolves once the mappings handed out so far are written (acknowledge.ts's rule). */
  saved: () => Promise<void>;
  /** The servers' port (test servers). */
  port?: number;
}

/** The reply to send back, or undefined for none (the program times out, as with a silent server). */
export async function enrAnswer(query: Buffer, transport: Transport, side: Side, parts: EnrParts): Promise<Buffer | undefined> {
  const q = parse(query);
  const question = q?.question;
  const upstream = () => forward(query, transport, parts.resolvConf(), { port: parts.port });
  // A response sent here is no question: dropped, as a server drops one.
  if (q && (q.flags & 0x8000) !== 0) return undefined;
  if (!q || !question || q.opcode !== 0 || q.questions !== 1 || question.cls !== CLASS_IN) return upstream();
  if (side === 'ipv6-only' && question.type === TYPE.PTR) return pointer(query, q, parts) ?? upstream();
  const v6 = side === 'ipv4-only' && question.type === TYPE.PTR && question.name ? v6FromArpa(question.name) : undefined;
  const v4 = v6 && parts.synth.toV4(v6);
  if (v4) return synthesizedPointer(query, v4, transport, (sub, t) => forward(sub, t, parts.resolvConf(), { port: parts.port }));
  const wanted = side === 'ipv6-only' ? TYPE.A : TYPE.AAAA;
  if (question.type !== wanted || question.name === undefined) return upstream();
  const got = await upstream();
  const full = got && transport === 'udp' && truncated(got) ? ((await forward(query, 'tcp', parts.resolvConf(), { port: parts.port })) ?? got) : got;
  if (!full) return undefined;
  const answer = await synthesized(full, side, parts);
  if (transport === 'tcp' || answer.length <= udpLimit(q)) return answer;
  const m = parse(answer);
  return m ? truncate(answer, m) : answer;
}

// The server's reply, with the ENR's records added when it has none of the
// asked type at the end of its CNAME chain. A reply that has some is sent
// as it is, once the resolver has seen the name too: it records the A/AAAA
// pair the program's connect is translated through (draft 2.2).
async function synthesized(got: Buffer, side: Side, parts: EnrParts): Promise<Buffer> {
  const m = parse(got);
  if (!m || m.rcode !== Rcode.NoError || !m.question?.name) return got;
  const owner = chase(got, m);
  const type = side === 'ipv6-only' ? TYPE.A : TYPE.AAAA;
  const result = await resolve(`${m.question.name}.`, side, parts);
  if (answersOf(m, owner.name, type).length) return got;
  if (result.status === Status.NotFound || result.status === Status.NoData) return got;
  if (result.status !== Status.Ok) return servfail(got, m);
  const records = result.entries.flatMap((e) => {
    if (side === 'ipv4-only') return e.kind === Kind.Synthetic ? [{ data: e.v6, ttl: e.ttl }] : [];
    return e.kind === Kind.Pool ? [{ data: e.v4, ttl: e.ttl }] : [];
  });
  if (!records.length) return got;
  await parts.saved();
  return withAnswers(got, m, owner.offset, side === 'ipv6-only' ? 'A' : 'AAAA', records);
}

function resolve(name: string, side: Side, parts: EnrParts): Promise<ResolveResult> {
  return Promise.resolve(side === 'ipv6-only' ? parts.resolver.resolve4(name, parts.via) : parts.resolver.resolve6(name, parts.via));
}

// A temporary failure of the ENR's (pool full, quota, its DNS timed out): the program tries again later.
function servfail(got: Buffer, m: Message): Buffer {
  const out = Buffer.from(got.subarray(0, m.question!.end));
  out.writeUInt16BE((m.flags & ~0xf) | Rcode.ServFail, 2);
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

/** A pool address's name, as NAME4 answers it: the name that led to it. */
function pointer(query: Buffer, q: Message, parts: EnrParts): Buffer | undefined {
  const v4 = q.question?.name ? v4FromArpa(q.question.name) : undefined;
  const entry = v4 ? parts.mapper.lookupV4(v4) : undefined;
  if (!entry || entry.kind !== Kind.Pool || !entry.name) return undefined;
  return reply(query, q, Rcode.NoError, [{ type: 'PTR', data: entry.name, ttl: entry.ttl }]);
}

/** a.b.c.d from d.c.b.a.in-addr.arpa; undefined for any other name. */
export function v4FromArpa(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
  if (!m || m.slice(1).some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return undefined;
  return m.slice(1).reverse().join('.');
}
