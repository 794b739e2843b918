// The machine side of `bia doctor`: bia's own library, the helper and what
// it sees of the network, and the directory that holds the helper socket.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { HelperState } from '../cli/helper-state.js';
import { nat64Text, type Nat64Status } from '../cli/nat64-status.js';
import type { Finding } from './finding.js';
import { detectNetwork } from '../helper/netdetect.js';
import { readElf } from './elf.js';
import { checkHelperSocket } from '../socket-trust.js';
import type { LibraryInfo } from './program.js';

/** The preload library as built here; its libc is the one Node runs on. */
export function libraryInfo(file: string): LibraryInfo | undefined {
  const elf = readElf(file);
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const header = report?.header;
  return elf && { elf, libc: header?.glibcVersionRuntime ? 'glibc' : 'musl' };
}

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

/** The helper refuses a directory others can write to; say so before it does. */
export function socketDirFinding(socket: string): Finding {
  const dir = path.dirname(socket);
  const trust = checkHelperSocket(socket);
  if ('untrusted' in trust) return { level: 'problem', what: trust.untrusted };
  if ('absent' in trust && !existsSync(dir)) return { level: 'ok', what: `socket directory ${dir}: not there yet; the helper creates it (mode 700)` };
  const st = statSync(dir);
  return { level: 'ok', what: `socket directory ${dir}: ${st.uid === process.geteuid!() ? 'yours' : `uid ${st.uid}'s, vouched for by root`}, mode ${(st.mode & 0o777).toString(8)}` };
}
