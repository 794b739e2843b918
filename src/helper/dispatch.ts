// What the helper answers to each request: the mapping table of the
// caller's scope, the resolver, the synthesizer and NAT64, with each reply
// held until the mappings it hands out are written (acknowledge.ts), and
// the USE and RELEASE notifications counted.
import { flushStderr, logs, type Logger } from '../log.js';
import { Kind, MsgType, Status, type Entry, type Reply, type Request } from '../wire/messages.js';
import { encodeReply } from '../wire/replies.js';
import { acknowledged, unsaved, type Held } from './acknowledge.js';
import type { Handler } from './connection.js';
import { describe, summary } from './describe.js';
import type { AddressMapper } from './mapper.js';
import { nat64Entries, nat64Map4, nat64Map6, type Nat64Context } from './nat64-entries.js';
import { helloReply, type HelloParts } from './network.js';
import type { Caller, Quotas } from './quota.js';
import type { NameResolver, ResolveResult } from './resolver.js';
import type { StateStore } from './statestore.js';
import { tablePage } from './table-page.js';
import type { ScopedTables } from './tables.js';
import type { UsageTracker } from './usage.js';

/** What answering reads and changes. */
export type DispatchParts = HelloParts &
  Nat64Context & {
    log: Logger;
    /** The table of each scope (scope.ts), and who may list what. */
    tables: ScopedTables;
    resolver: NameResolver;
    quotas: Quotas;
    usage: UsageTracker;
    /** The shared table's journal (it keeps the synthesized addresses too). */
    store: StateStore;
  };

/** The handler of every admitted connection (connection.ts). */
export function dispatcher(ctx: DispatchParts): Handler {
  return {
    admitted: (caller) => {
      ctx.usage.seen(caller.pid);
      ctx.tables.admit(caller);
    },
    answer: (req, caller) => answer(req, ctx, caller),
    notified: (req, caller) => notified(req, ctx, caller),
    settled: (held, caller) => settled(held, ctx, caller),
    flush: () => flushNow(ctx),
  };
}

/** A synthesized address never stands for another peer while the helper runs (a pool one is never reused). */
const SYNTHETIC_TTL = 86400;

// USE and RELEASE: counted at once and never answered, so reporting a use
// costs the preload no round trip (docs/protocol.md, Notifications).
function notified(req: Request, ctx: DispatchParts, caller: Caller): void {
  if (req.type !== MsgType.Use && req.type !== MsgType.Release) return;
  if (req.type === MsgType.Use) ctx.usage.use(caller.pid, req.v4s);
  else ctx.usage.release(caller.pid, req.v4s);
  if (logs(ctx.log, 'debug')) ctx.log.debug(`${describe(req)} from pid ${caller.pid}`);
}

// The journal writes of the shared table and of the users' own (scope user);
// and the log lines held so far, so that a reply never leaves before what
// the helper logged while making it.
function flushNow(ctx: DispatchParts): void {
  flushStderr();
  ctx.store.flushNow();
  for (const own of ctx.tables.saved()) own.store.flushNow();
}

// A reply made at once is encoded at once, unless it hands out a mapping
// not yet written: that one is held for its tick's journal write (connection.ts's
// release). One that waits (DNS) is written to the journal before it is
// sent, like the others (acknowledge.ts).
function answer(req: Request, ctx: DispatchParts, caller: Caller): Buffer | Held | Promise<Buffer> {
  let reply: Reply | Promise<Reply>;
  try {
    reply = respond(req, ctx, caller);
  } catch (err) {
    return failed(req, err, ctx);
  }
  if (!(reply instanceof Promise)) return unsaved(reply, storesOf(ctx, caller)) ? { req, held: reply } : encoded(req, reply, ctx);
  return reply.then(
    async (r) => {
      await Promise.all([ctx.store.flush(), ctx.tables.storeOf(caller)?.flush()]);
      return encoded(req, acknowledged(r, storesOf(ctx, caller)), ctx);
    },
    (err) => failed(req, err, ctx),
  );
}

function settled({ req, held }: Held, ctx: DispatchParts, caller: Caller): Buffer {
  return encoded(req, acknowledged(held, storesOf(ctx, caller)), ctx);
}

// Where the mappings a reply to CALLER hands out are saved: the shared
// table's store (which keeps the synthesized addresses too), and the
// caller's own (scope user).
function storesOf(ctx: DispatchParts, caller: Caller): (StateStore | undefined)[] {
  return [ctx.store, ctx.tables.storeOf(caller)];
}

function encoded(req: Request, reply: Reply, ctx: DispatchParts): Buffer {
  if (logs(ctx.log, 'debug')) ctx.log.debug(`${describe(req)} -> ${summary(reply)}`);
  try {
    return encodeReply(reply);
  } catch (err) {
    return failed(req, err, ctx);
  }
}

function failed(req: Request, err: unknown, ctx: DispatchParts): Buffer {
  ctx.log.error(`${describe(req)} failed: ${(err as Error).stack ?? err}`);
  return encodeReply({ type: req.type, id: req.id, status: Status.Internal });
}

// What a caller's user may list later (tables.ts): the mappings it was answered with.
function answered<E extends Entry>(ctx: DispatchParts, caller: Caller, table: AddressMapper, entries: E[]): E[] {
  for (const e of entries) if (e.kind === Kind.Pool || e.kind === Kind.Paired) ctx.tables.answered(caller, table, e);
  return entries;
}

// Promises only for what waits: DNS, and NAT64 discovery for a RESOLVE of IPv4 addresses or a MAP4 the table does not know.
function respond(req: Request, ctx: DispatchParts, caller: Caller): Reply | Promise<Reply> {
  const { type, id } = req;
  switch (req.type) {
    case MsgType.Hello:
      return helloReply(ctx, id);
    case MsgType.Resolve:
      return resolved(req, ctx, caller);
    case MsgType.Map4: {
      const table = ctx.tables.of(caller);
      const found = table.lookupV4(req.v4);
      return found ? { type: MsgType.Map4, id, status: Status.Ok, entry: answered(ctx, caller, table, [found])[0] } : map4Nat64(req, ctx);
    }
    case MsgType.Map6: {
      const v4 = ctx.synth.toV4(req.v6);
      if (v4) return { type: MsgType.Map6, id, status: Status.Ok, entry: { kind: Kind.Synthetic, v4, v6: req.v6, ttl: SYNTHETIC_TTL } };
      // Not one the helper handed out (or one from before a restart): no peer, and no pool address for it.
      if (ctx.synth.inPool(req.v6)) return { type, id, status: Status.NotFound };
      const nat64 = nat64Map6(req.v6, ctx);
      if (nat64) return { type: MsgType.Map6, id, status: Status.Ok, entry: nat64 };
      const table = ctx.tables.of(caller);
      const got = table.request(req.v6, { account: ctx.quotas.account(caller) });
      if (typeof got === 'object') answered(ctx, caller, table, [got]);
      return typeof got === 'object' ? { type: MsgType.Map6, id, status: Status.Ok, entry: got } : { type, id, status: got };
    }
    case MsgType.Name4: {
      const name = ctx.tables.of(caller).lookupV4(req.v4)?.name;
      return name ? { type: MsgType.Name4, id, status: Status.Ok, name } : { type, id, status: Status.NotFound };
    }
    case MsgType.Synth: {
      const v6 = ctx.synth.toV6(req.v4);
      if (!v6) return { type, id, status: ctx.store.accepting ? Status.PoolExhausted : Status.TryAgain };
      return { type: MsgType.Synth, id, status: Status.Ok, entry: { kind: Kind.Synthetic, v4: req.v4, v6, ttl: SYNTHETIC_TTL } };
    }
    case MsgType.Table:
      return { type: MsgType.Table, id, status: Status.Ok, table: tablePage(ctx.tables.listed(caller), ctx.pool, req.offset) };
    case MsgType.Nat64:
      return { type: MsgType.Nat64, id, status: Status.Ok, nat64: ctx.nat64.status() };
    case MsgType.Use:
    case MsgType.Release:
      throw new Error('notifications get no reply');
  }
}

// A name that needs no DNS and no NAT64 discovery (a literal, a name in
// hosts) is answered at once, like a MAP6: the promise chain of a reply that
// waits cost about as much CPU as the rest of the request.
function resolved(req: Request & { type: MsgType.Resolve }, ctx: DispatchParts, caller: Caller): Reply | Promise<Reply> {
  const via = { mapper: ctx.tables.of(caller), account: ctx.quotas.account(caller) };
  const result = req.family === 4 ? ctx.resolver.resolve4(req.name, via) : ctx.resolver.resolve6(req.name, via);
  const reply = (r: ResolveResult) => resolveReply(req, r, ctx, caller, via.mapper);
  return result instanceof Promise ? result.then(reply) : reply(result);
}

function resolveReply(req: Request & { type: MsgType.Resolve }, result: ResolveResult, ctx: DispatchParts, caller: Caller, mapper: AddressMapper): Reply | Promise<Reply> {
  const { type, id } = req;
  // With nothing to hand out because nothing new can be saved, the pool is not full.
  if (result.status === Status.PoolExhausted && !ctx.store.accepting) return { type, id, status: Status.TryAgain };
  if (result.status !== Status.Ok) return { type, id, status: result.status };
  answered(ctx, caller, mapper, result.entries);
  const entries = req.family === 4 ? nat64Entries(result.entries, ctx) : result.entries;
  const reply = (list: Entry[]): Reply => ({ type: MsgType.Resolve, id, status: Status.Ok, resolve: { canon: result.canon, entries: list } });
  return entries instanceof Promise ? entries.then(reply) : reply(entries);
}

async function map4Nat64(req: Request & { type: MsgType.Map4 }, ctx: DispatchParts): Promise<Reply> {
  const { type, id } = req;
  const entry = await nat64Map4(req.v4, ctx);
  return entry ? { type: MsgType.Map4, id, status: Status.Ok, entry } : { type, id, status: Status.NotFound };
}
