// How requests and replies read in the helper's debug log.
import { Kind, MsgType, Nat64Source, Status, WireNetwork, type Entry, type Reply, type Request } from '../wire/messages.js';

export function describe(req: Request): string {
  switch (req.type) {
    case MsgType.Hello:
      return 'HELLO';
    case MsgType.Resolve:
      return `RESOLVE${req.family} ${req.name}`;
    case MsgType.Map4:
      return `MAP4 ${req.v4}`;
    case MsgType.Map6:
      return `MAP6 ${req.v6}`;
    case MsgType.Name4:
      return `NAME4 ${req.v4}`;
    case MsgType.Synth:
      return `SYNTH ${req.v4}`;
    case MsgType.Use:
    case MsgType.Release:
      return `${MsgType[req.type].toUpperCase()} ${req.v4s.join(',')}`;
    case MsgType.Table:
      return `TABLE from ${req.offset}`;
    case MsgType.Nat64:
      return 'NAT64';
  }
}

export function summary(reply: Reply): string {
  const pair = (e: Entry) => `${Kind[e.kind]} ${e.v4}${e.kind === Kind.Native ? '' : `=${e.v6}`}`;
  if ('resolve' in reply) return `${reply.resolve.canon}: ${reply.resolve.entries.map(pair).join(', ')}`;
  if ('entry' in reply) return pair(reply.entry);
  if ('hello' in reply) return `network ${WireNetwork[reply.hello.network]}`;
  if ('name' in reply) return reply.name;
  if ('table' in reply) return `${reply.table.rows.length} of ${reply.table.total} rows`;
  if ('nat64' in reply) return `${Nat64Source[reply.nat64.source]} ${reply.nat64.prefix}/${reply.nat64.prefixLen}`;
  return Status[reply.status];
}
