// A reply that hands out a pool address (or a pool-format synthesized one)
// leaves only once that address's record is in the journal
// (docs/mapping-lifecycle.md, Persistence): a helper restarted after a
// kill -9 must know every address a program was told, or it could hand the
// address to another peer. A reply whose address could not be written (a
// full disk) is replaced by TRY_AGAIN: a refusal is better than a double
// hand-out.
import { Kind, Status, type Entry, type Reply, type Request } from '../wire/messages.js';
import type { StateStore } from './statestore.js';

/** A reply made at once that waits for the journal write of its tick. */
export interface Held {
  req: Request;
  held: Reply;
}

/** Whether `reply` hands out an address whose record is not written yet. */
export function unsaved(reply: Reply, stores: readonly (StateStore | undefined)[]): boolean {
  if (reply.status !== Status.Ok) return false;
  const entries = 'resolve' in reply ? reply.resolve.entries : 'entry' in reply ? [reply.entry] : [];
  return entries.some((e) => stores.some((store) => store?.unsavedAddress(savedBy(e)) === true));
}

/** `reply`, or TRY_AGAIN in its place when an address it hands out is still unsaved (its write failed). */
export function acknowledged(reply: Reply, stores: readonly (StateStore | undefined)[]): Reply {
  return unsaved(reply, stores) ? { type: reply.type, id: reply.id, status: Status.TryAgain } : reply;
}

// The address a state record keeps for an entry: a pool entry's IPv4
// address, a synthesized entry's IPv6 one. Others (native, paired, NAT64)
// take nothing from a pool.
function savedBy(e: Entry): string {
  return e.kind === Kind.Pool ? e.v4 : e.kind === Kind.Synthetic ? e.v6 : '';
}
