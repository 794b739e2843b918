// PTR questions for synthesized IPv6 addresses, from a program on an
// IPv4-only network (`dig -6 -x ::ffff:198.51.100.2`): the address stands
// for an IPv4 one, and that one's in-addr.arpa name holds the answer. As a
// DNS64 does (RFC 6147 5.3.1), the reply is a CNAME from the ip6.arpa name
// to the in-addr.arpa one, followed by the servers' answer for that name.
// This reply is the endpoint's own, so dns-packet encodes it whole.
import { randomInt } from 'node:crypto';
import packet, { type Answer, type DecodedPacket } from 'dns-packet';
import { v6FromBytes } from '../wire/addresses.js';
import { truncated, type Transport } from './dnsforward.js';

/** Seconds the CNAME may be cached: a synthesized address keeps its IPv4 address while the helper runs. */
const CNAME_TTL = 60;

/** The address of a 32-nibble ip6.arpa name; undefined for any other name. */
export function v6FromArpa(name: string): string | undefined {
  const m = /^((?:[0-9a-f]\.){32})ip6\.arpa$/i.exec(name);
  if (!m) return undefined;
  const hex = m[1].split('.').slice(0, 32).reverse().join('');
  return v6FromBytes(Buffer.from(hex, 'hex'));
}

const arpa4 = (v4: string) => `${v4.split('.').reverse().join('.')}.in-addr.arpa`;

/**
 * The reply to `query` (a PTR question for a synthesized address standing
 * for `v4`); undefined when no server answered the in-addr.arpa question.
 */
export async function synthesizedPointer(query: Buffer, v4: string, transport: Transport, ask: (q: Buffer, t: Transport) => Promise<Buffer | undefined>): Promise<Buffer | undefined> {
  const asked = packet.decode(query);
  const target = arpa4(v4);
  const sub = packet.encode({ type: 'query', id: randomInt(0x10000), flags: packet.RECURSION_DESIRED, questions: [{ name: target, type: 'PTR', class: 'IN' }] });
  let got = await ask(sub, transport);
  if (got && transport === 'udp' && truncated(got)) got = (await ask(sub, 'tcp')) ?? got;
  const reply = got && decode(got);
  if (!reply) return undefined;
  const flags = ((asked.flags ?? 0) & packet.RECURSION_DESIRED) | packet.RECURSION_AVAILABLE | ((reply.flags ?? 0) & 0xf);
  const cname = { name: asked.questions![0].name, type: 'CNAME', class: 'IN', ttl: CNAME_TTL, data: target } as Answer;
  const opt = asked.additionals?.find((a) => a.type === 'OPT') as (Answer & { flags?: number }) | undefined;
  const additionals = opt ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: (opt.flags ?? 0) & packet.DNSSEC_OK, options: [] } as unknown as Answer] : [];
  return packet.encode({ type: 'response', id: asked.id, flags, questions: asked.questions, answers: [cname, ...(reply.answers ?? [])], authorities: reply.authorities ?? [], additionals });
}

function decode(msg: Buffer): DecodedPacket | undefined {
  try {
    return packet.decode(msg);
  } catch {
    return undefined;
  }
}
