// What the helper does with the network it is on: the HELLO answer (and
// its published copy), the NAT64 prefix learnt before the first program
// asks, the pool checked against the host's networks; all again when the
// host roams.
import type { Logger } from '../log.js';
import { parsePrefix } from '../mapping/nat64-prefix.js';
import { MsgType, Status, WireNetwork, type Reply } from '../wire/messages.js';
import { encodeReply } from '../wire/replies.js';
import { WatchedFile } from './filecache.js';
import { Nat64, type Nat64Setting } from './nat64.js';
import type { Network, NetworkDetector, NetworkView } from './netdetect.js';
import type { Pool } from './pool.js';
import type { PublishedTable } from './published-table.js';
import { parseResolvConf, resolvConfPath } from './resolvconf.js';
import { caresTransport, type DnsTransport } from './resolver.js';
import type { Synthesizer } from './synth.js';

/** What the HELLO answer is made of. */
export interface HelloParts {
  detector: NetworkDetector;
  pool: Pool;
  synth: Synthesizer;
}

export interface NetworkParts extends HelloParts {
  log: Logger;
  nat64: Nat64;
  /** The published table (published-table.ts), when the helper keeps one. */
  published?: PublishedTable;
}

/** Seconds the preload may cache the HELLO answer: short, so roaming is noticed. */
const HELLO_TTL = 2;

const WIRE_NETWORK: Record<Network, WireNetwork> = {
  dual: WireNetwork.Dual,
  'ipv6-only': WireNetwork.Ipv6Only,
  'ipv4-only': WireNetwork.Ipv4Only,
  none: WireNetwork.None,
};

export function nat64Option(text = 'auto'): Nat64Setting {
  if (text === 'auto' || text === 'off') return text;
  const prefix = parsePrefix(text);
  if (!prefix) throw new Error(`invalid NAT64 setting ${text}: expected auto, off or a prefix such as 64:ff9b::/96 (lengths 32, 40, 48, 56, 64, 96)`);
  return prefix;
}

// Discovery asks the same servers, with the same transport, as the resolver.
export function newNat64(setting: Nat64Setting, options: { resolvConfPath?: string; dns?: DnsTransport }, log: Logger): Nat64 {
  const conf = new WatchedFile(options.resolvConfPath ?? resolvConfPath(), parseResolvConf);
  const transport = options.dns ?? caresTransport();
  return new Nat64({ setting, dns: () => transport(conf.get()), dnsConfig: () => conf.get(), log });
}

// The host moved to another network (or it changed under it): what was
// learnt about the old one goes. Mappings stay, so that connections made
// with them keep working; new connections follow the new mode.
export function roamed(ctx: NetworkParts, now: NetworkView, before: NetworkView): void {
  const mode = ctx.detector.mode === 'auto' ? '' : ` (mode forced to ${ctx.detector.mode})`;
  const modes = now.network === before.network ? `still ${now.network}` : `${before.network} -> ${now.network}`;
  ctx.log.info(`network changed (${modes})${mode}; addresses ${now.addresses.join(' ') || 'none'}`);
  ctx.nat64.forget();
  publishHello(ctx);
  settle(ctx, now);
}

export function helloReply(ctx: HelloParts, id: number): Reply {
  const hello = { network: WIRE_NETWORK[ctx.detector.current()], pool: ctx.pool.network, poolLen: ctx.pool.prefixLength, ttl: HELLO_TTL, synth: ctx.synth.params };
  return { type: MsgType.Hello, id, status: Status.Ok, hello };
}

export function publishHello(ctx: NetworkParts): void {
  ctx.published?.setHello(encodeReply(helloReply(ctx, 0)));
}

// What a network needs once it is known: its NAT64 prefix learnt before the
// first program asks, and the pool checked against its IPv4 networks.
export function settle(ctx: NetworkParts, view: NetworkView): void {
  if (ctx.detector.current() === 'ipv6-only') void ctx.nat64.prefix();
  for (const { route, whole } of ctx.pool.overlaps(view.host.routes)) {
    const net = `${route.network}/${route.prefixLength} (${route.iface})`;
    const pool = `${ctx.pool.network}/${ctx.pool.prefixLength}`;
    if (whole) ctx.log.error(`the host's network ${net} covers the whole pool ${pool}: no new stand-in address can be handed out here; choose another pool (--pool, BIA_POOL)`);
    else ctx.log.warn(`the host's network ${net} overlaps the pool ${pool}: its addresses are not handed out while it is there`);
  }
}

