// What the running helper says about itself: who it is (SO_PEERCRED) and
// what it sees (HELLO). Shared by bia status and bia doctor.
import { WireNetwork, type HelloBody } from '../wire/messages.js';
import { hello } from './ensure-helper.js';
import { helperPeer, type HelperPeer } from './helper-peer.js';
import { UntrustedSocketError } from '../socket-trust.js';

export type HelperState =
  | { running: false; why: string }
  | { running: true; peer: HelperPeer; hello: HelloBody; network: string; pool: string };

const NETWORK_NAMES: Record<WireNetwork, string> = {
  [WireNetwork.None]: 'none',
  [WireNetwork.Dual]: 'dual',
  [WireNetwork.Ipv6Only]: 'ipv6-only',
  [WireNetwork.Ipv4Only]: 'ipv4-only',
};

export async function helperState(socket: string): Promise<HelperState> {
  let peer: HelperPeer | undefined;
  try {
    peer = await helperPeer(socket);
  } catch (err) {
    if (err instanceof UntrustedSocketError) throw err;
    return { running: false, why: `cannot connect to ${socket}: ${(err as Error).message}` };
  }
  if (!peer) return { running: false, why: `nothing listens on ${socket}` };
  try {
    const h = await hello(socket);
    return { running: true, peer, hello: h, network: NETWORK_NAMES[h.network] ?? `unknown (${h.network})`, pool: `${h.pool}/${h.poolLen}` };
  } catch (err) {
    if (err instanceof UntrustedSocketError) throw err;
    return { running: false, why: `pid ${peer.pid} listens on ${socket} but does not answer as a bia helper: ${(err as Error).message}` };
  }
}
