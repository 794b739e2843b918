// Whom a helper serves. A per-user helper: its own uid, nobody else. A
// shared helper (`bia helper --system`): the uids and groups the admin
// listed. A root helper (`--allow-root`, a container's): every uid that can
// reach its socket, as programs that drop privileges need. The kernel
// vouches for the peer (SO_PEERCRED: its effective uid and gid,
// SO_PEERGROUPS: its supplementary groups, all as of its connect), so no
// client can claim to be someone else.
import type { PeerCredentials } from '../native.js';

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
