// The helper's mappings across its life: the saved ones read back before
// the first request, every new one journalled, a scope-user table per user,
// and the periodic sweep (docs/mapping-lifecycle.md).
import path from 'node:path';
import type { PoolScope } from '../config/values.js';
import type { Logger } from '../log.js';
import { AddressMapper, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_QUARANTINE_MS, type MapperEntry } from './mapper.js';
import type { Pool } from './pool.js';
import { applyState, savedUses } from './restore.js';
import { StateStore } from './statestore.js';
import type { Synthesizer } from './synth.js';
import { ScopedTables, type OwnTable } from './tables.js';
import type { UsageTracker, UseRecord } from './usage.js';

/** The helper options the mappings' lifetimes come from (HelperOptions). */
export interface MappingSettings {
  poolTtl?: number;
  mappingIdleMs?: number;
  quarantineMs?: number;
  now?: () => number;
}

/** What the periodic sweep looks after. */
export interface MaintainedParts {
  log: Logger;
  usage: UsageTracker;
  tables: ScopedTables;
  store: StateStore;
  mapper: AddressMapper;
}

// Scopes user and process: tables of their own, each with a pool of its
// own (NEW_POOL); a user's is saved next to the shared one, a process's is
// not.
export function scopedTables(scope: PoolScope, shared: AddressMapper, store: StateStore, newPool: () => Pool, helperUid: number, options: MappingSettings, log: Logger): ScopedTables {
  const now = options.now ?? Date.now;
  return new ScopedTables(scope, shared, helperUid, (caller) =>
    scope === 'user' ? userTable(caller.uid, newPool(), store.dir, options, log) : { table: new AddressMapper(newPool(), { ...mapperTimes(options), log, now }), uid: caller.uid },
  );
}

// Scope user: a user's table, read back from its own directory under the
// helper's (which the helper's lock already holds) and saved there like the
// shared table (docs/mapping-lifecycle.md, Persistence).
function userTable(uid: number, pool: Pool, stateDir: string, options: MappingSettings, log: Logger): OwnTable {
  const now = options.now ?? Date.now;
  const store = new StateStore(path.join(stateDir, 'users', String(uid)), log);
  const table = new AddressMapper(pool, { ...mapperTimes(options), ...savedIn(store), log, now });
  applyState(table, store.recover(), options.quarantineMs ?? DEFAULT_QUARANTINE_MS, now(), log);
  void store.compact(table);
  return { table, uid, store };
}

// Reads back the mappings of the previous helper and starts a clean journal
// after them, before the first request can be answered.
export async function openMappings(store: StateStore, locked: boolean, pool: Pool, synth: Synthesizer, options: MappingSettings, log: Logger): Promise<{ store: StateStore; mapper: AddressMapper; uses: UseRecord[] }> {
  const now = options.now ?? Date.now;
  const quarantineMs = options.quarantineMs ?? DEFAULT_QUARANTINE_MS;
  if (!locked) store.lock();
  const mapper = new AddressMapper(pool, { ...mapperTimes(options), ...savedIn(store), log, now });
  try {
    const state = store.recover();
    applyState(mapper, state, quarantineMs, now(), log, synth);
    store.keepSynth(synth);
    return { store, mapper, uses: savedUses(state) };
  } catch (err) {
    await store.close(); // gives the lock back
    throw err;
  }
}

// The saved uses of processes still running hold their mappings again;
// then a fresh snapshot (with them) and an empty journal, before the
// first request is answered.
export async function keepUses(store: StateStore, mapper: AddressMapper, usage: UsageTracker, saved: UseRecord[], log: Logger): Promise<void> {
  const processes = usage.restore(saved);
  if (processes > 0) log.info(`took back the mapping uses of ${processes} process(es) still running`);
  store.keepUses(() => usage.records());
  await store.compact(mapper);
}

// Every new or extended entry is journalled, and no pool address is handed
// out while the journal cannot be written.
function savedIn(store: StateStore): { onRecord: (entry: MapperEntry) => void; canAllocate: () => boolean } {
  return { onRecord: (entry) => store.append(entry), canAllocate: () => store.accepting };
}

function mapperTimes(options: MappingSettings): { poolTtl?: number; idleTimeoutMs: number; quarantineMs: number } {
  return { poolTtl: options.poolTtl, idleTimeoutMs: options.mappingIdleMs ?? DEFAULT_IDLE_TIMEOUT_MS, quarantineMs: options.quarantineMs ?? DEFAULT_QUARANTINE_MS };
}

// Bounded work per tick: expiry is mostly lazy (on access), the sweep only
// returns the addresses of mappings nobody asks about any more.
export function maintain(ctx: MaintainedParts): void {
  const gone = ctx.usage.reap();
  if (gone > 0) ctx.log.debug(`gave back the uses of ${gone} ended process(es)`);
  const expired = ctx.tables.sweep();
  if (expired > 0) ctx.log.debug(`swept ${expired} expired mapping(s)`);
  void ctx.store.compactIfDue(ctx.mapper);
  for (const own of ctx.tables.saved()) void own.store.compactIfDue(own.table);
}
