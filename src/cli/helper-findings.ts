// `bia doctor`'s findings about the helper: whether it runs, the network
// it sees and its NAT64 prefix, from what it answers (helper-state.ts,
// nat64-status.ts).
import type { Finding } from '../doctor/finding.js';
import { detectNetwork } from '../helper/netdetect.js';
import type { HelperState } from './helper-state.js';
import { nat64Text, type Nat64Status } from './nat64-status.js';

const NETWORK_MEANING: Record<string, Finding> = {
  'ipv6-only': { level: 'ok', what: 'network: IPv6 only; IPv4-only programs reach peers by name through bia' },
  dual: { level: 'ok', what: 'network: IPv4 and IPv6; bia translates only where IPv4 cannot reach (IPv6-only peers)' },
  'ipv4-only': { level: 'note', what: 'network: IPv4 only; IPv4 programs work natively (IPv6-only programs on it need a later version of bia)' },
  none: { level: 'problem', what: 'network: no usable address or default route', fix: 'connect to a network; bia translates between IP versions, it cannot make a connection' },
};

export function helperFindings(helper: HelperState, socket: string, nat64?: Nat64Status | Error): Finding[] {
  if (!helper.running) {
    if (helper.why.startsWith('nothing listens')) return [{ level: 'ok', what: `helper: not running; bia run or bia env will start it on ${socket}` }, networkHere()];
    return [{ level: 'problem', what: `helper: ${helper.why}`, fix: `bia stop, then try again; the helper's log may say more` }];
  }
  const network = NETWORK_MEANING[helper.network] ?? { level: 'note', what: `network: ${helper.network}` };
  return [
    { level: 'ok', what: `helper: running, pid ${helper.peer.pid}, pool ${helper.pool}` },
    network,
    ...(nat64 ? [nat64Finding(helper.network, nat64)] : []),
  ];
}

// With no helper to ask, what a helper started now would see, looked at here.
function networkHere(): Finding {
  const network = NETWORK_MEANING[detectNetwork()];
  return { ...network, what: network.what.replace(/^network:/, 'network (seen by bia doctor, as no helper runs):') };
}

// Only an IPv6-only network needs a NAT64: there, without one, IPv4-only peers are out of reach.
function nat64Finding(network: string, nat64: Nat64Status | Error): Finding {
  const what = `NAT64: ${nat64Text(nat64)}`;
  const found = !(nat64 instanceof Error) && nat64.prefix !== null;
  if (network !== 'ipv6-only' || found) return { level: found ? 'ok' : 'note', what };
  return { level: 'note', what: `${what}; IPv4-only peers and IPv4 literals are unreachable here`, fix: 'if the network has a NAT64 whose DNS64 does not answer ipv4only.arpa, give its prefix: --nat64 PREFIX (BIA_NAT64)' };
}
