// Whom a helper serves. A per-user helper: its own uid, nobody else. A
// shared helper (`bia helper --system`): the uids and groups the admin
// listed. A root helper (`--allow-root`, a container's): every uid that can
// reach its socket, as programs that drop privileges need. The kernel
// vouches for the peer (SO_PEERCRED: its effective uid and gid,
// SO_PEERGROUPS: its supplementary groups, all as of its connect), so no
// client can claim to be someone else.
import type { Logger } from '../log.js';
import type { PeerCredentials } from '../native.js';
import type { Caller } from './quota.js';

export interface AllowList {
  uids: number[];
  gids: number[];
  /** Every uid (a root helper's default). */
  everyone?: boolean;
}

/** Every uid: a root helper serves the programs of its container whatever user they run as. */
export const EVERYONE: AllowList = { uids: [], gids: [], everyone: true };

export function ownUserOnly(uid: number): AllowList {
  return { uids: [uid], gids: [] };
}

/** Whether PEER may be served; GROUPS (its supplementary groups) is read only when a group could admit it. */
export function admits(allow: AllowList, peer: PeerCredentials, groups: () => number[]): boolean {
  if (allow.everyone || allow.uids.includes(peer.uid)) return true;
  if (allow.gids.length === 0) return false;
  return allow.gids.includes(peer.gid) || groups().some((g) => allow.gids.includes(g));
}

/** For log lines: "uid 1000, 1001 and group 27". */
export function describeAllow(allow: AllowList): string {
  if (allow.everyone) return 'every uid';
  const parts = [];
  if (allow.uids.length) parts.push(`uid ${allow.uids.join(', ')}`);
  if (allow.gids.length) parts.push(`group ${allow.gids.join(', ')}`);
  return parts.join(' and ') || 'nobody';
}

/** Whether the helper serves users other than its own (then it is a shared helper). */
export function servesOthers(allow: AllowList, helperUid: number): boolean {
  return allow.everyone === true || allow.gids.length > 0 || allow.uids.some((u) => u !== helperUid);
}

/** Connections one process and one user may hold open at once (Infinity: no cap). */
export interface ConnectionCaps {
  perPeer: number;
  perUser: number;
}

/** A served connection: LEFT must be called when it closes. */
export type Admitted = { caller: Caller; left: () => void };

export type Admission = Admitted | { denied: true } | { closed: true };

/** A refused user is logged at most this often, so that its retries cannot flood the log. */
const REFUSAL_LOG_EVERY_MS = 10_000;

/**
 * Whom to serve, connection by connection: a user the helper serves (its
 * own, or its allow list's), within its process's and its user's share of
 * connections, counted until each connection closes.
 */
export class Gate {
  /** Open connections per client pid, to cap what one process can hold. */
  private readonly peers = new Map<number, number>();
  /** The same per client uid, to cap what one user of a shared helper can hold. */
  private readonly users = new Map<number, number>();
  /** When each refused uid was last logged. */
  private readonly refusalsLogged = new Map<number, number>();

  constructor(
    private readonly allow: AllowList,
    private readonly caps: ConnectionCaps,
    private readonly log: Logger,
  ) {}

  /** PEER: the connection's SO_PEERCRED, or why it could not be read; GROUPS: its SO_PEERGROUPS, read when needed. */
  admit(peer: PeerCredentials | Error, groups: () => number[]): Admission {
    if (peer instanceof Error) {
      this.log.warn(`refused a client whose credentials cannot be read: ${peer.message}`);
      return { closed: true };
    }
    if (!admits(this.allow, peer, groups)) {
      this.logRefusal(peer);
      return { denied: true };
    }
    const open = this.peers.get(peer.pid) ?? 0;
    if (open >= this.caps.perPeer) {
      this.log.warn(`refused a connection from pid ${peer.pid}: it already holds ${open}, the most one process may`);
      return { closed: true };
    }
    const ofUser = this.users.get(peer.uid) ?? 0;
    if (ofUser >= this.caps.perUser) {
      this.log.warn(`refused a connection from pid ${peer.pid}: uid ${peer.uid} already holds ${ofUser}, the most one user may`);
      return { closed: true };
    }
    this.peers.set(peer.pid, open + 1);
    this.users.set(peer.uid, ofUser + 1);
    const left = () => {
      release(this.peers, peer.pid);
      release(this.users, peer.uid);
    };
    return { caller: { pid: peer.pid, uid: peer.uid }, left };
  }

  private logRefusal(peer: PeerCredentials): void {
    const now = Date.now();
    if (now - (this.refusalsLogged.get(peer.uid) ?? -Infinity) < REFUSAL_LOG_EVERY_MS) return;
    this.refusalsLogged.set(peer.uid, now);
    this.log.warn(`refused a client of uid ${peer.uid} (pid ${peer.pid}): this helper serves ${describeAllow(this.allow)}`);
  }
}

function release(counts: Map<number, number>, key: number): void {
  const open = counts.get(key)! - 1;
  if (open > 0) counts.set(key, open);
  else counts.delete(key);
}
