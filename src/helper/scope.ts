// Pool granularity (BIA section 6.3, docs/mapping-lifecycle.md): who shares
// one table of mappings. host: every program the helper serves, of every
// user it serves; user: each user (uid) has a table of its own, the helper's
// own user the saved one; process: each client process has a table of its
// own, kept only while it runs.
import type { PoolScope } from '../config/values.js';
import type { Caller } from './quota.js';

/** The key of the shared (saved) table. */
export const SHARED_TABLE = 'host';

/**
 * Which table serves CALLER: SHARED_TABLE, `uid N` or `pid N`. The helper's
 * own user (HELPER_UID) keeps the shared table in scope user, so that a
 * per-user helper behaves the same in scopes host and user.
 */
export function scopeKey(scope: PoolScope, caller: Caller, helperUid: number): string {
  if (scope === 'process') return `pid ${caller.pid}`;
  if (scope === 'user' && caller.uid !== helperUid) return `uid ${caller.uid}`;
  return SHARED_TABLE;
}
