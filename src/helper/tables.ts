// The mapping tables of one helper, by pool scope (scope.ts), and which of
// their rows a caller may list. A per-user helper serves one uid, so every
// caller sees everything; a shared helper (`bia helper --system`) serves
// several, and a caller that is neither root nor the helper's own user
// lists only its user's tables and, in the shared table, the mappings the
// helper answered its user's programs with (docs/threat-model.md).
import type { AddressMapper } from './mapper.js';
import type { StateStore } from './statestore.js';
import type { Caller } from './quota.js';
import type { PoolScope } from '../config/values.js';
import { scopeKey, SHARED_TABLE } from './scope.js';
import type { TableRow } from '../wire/messages.js';

/** A table of one user or process, and where it is saved (scope user) if anywhere. */
export interface OwnTable {
  table: AddressMapper;
  uid: number;
  store?: StateStore;
}

/** A table to list, and which of its rows. */
export interface Listed {
  table: AddressMapper;
  shows: (row: TableRow) => boolean;
}

const ALL = () => true;

export class ScopedTables {
  private readonly own = new Map<string, OwnTable>();
  /** The table key of each client process seen, so that its USE and RELEASE reach its table. */
  private readonly pids = new Map<number, string>();
  /** Shared-table mappings each unprivileged user was answered with: v4 -> the peer then, and the uids. */
  private readonly witnesses = new Map<string, { v6: string; uids: Set<number> }>();

  constructor(
    private readonly scope: PoolScope,
    readonly shared: AddressMapper,
    private readonly helperUid: number,
    private readonly make: (caller: Caller) => OwnTable,
  ) {}

  /** A client process connected. Scope user makes its user's table now, so its first USE finds it. */
  admit(caller: Caller): void {
    const key = scopeKey(this.scope, caller, this.helperUid);
    this.pids.set(caller.pid, key);
    if (this.scope === 'user') this.of(caller);
  }

  /** The table CALLER's requests use, made at its first request in scopes user and process. */
  of(caller: Caller): AddressMapper {
    const key = scopeKey(this.scope, caller, this.helperUid);
    if (key === SHARED_TABLE) return this.shared;
    let own = this.own.get(key);
    if (!own) this.own.set(key, (own = this.make(caller)));
    return own.table;
  }

  /** Where CALLER's table is saved, when it is not the shared table's store. */
  storeOf(caller: Caller): StateStore | undefined {
    return this.own.get(scopeKey(this.scope, caller, this.helperUid))?.store;
  }

  /** The saved tables of their own (scope user). */
  *saved(): Generator<{ table: AddressMapper; store: StateStore }> {
    for (const { table, store } of this.own.values()) if (store) yield { table, store };
  }

  /** The table a process's uses count in (usage.ts). */
  ofPid(pid: number): AddressMapper {
    const key = this.pids.get(pid);
    return (key !== undefined && this.own.get(key)?.table) || this.shared;
  }

  /** A client process ended: its own table (scope process) goes with it. */
  forgetProcess(pid: number): void {
    const key = this.pids.get(pid);
    this.pids.delete(pid);
    if (this.scope === 'process' && key !== undefined) this.own.delete(key);
  }

  /** Every table, the shared one first. */
  *all(): Generator<AddressMapper> {
    yield this.shared;
    for (const own of this.own.values()) yield own.table;
  }

  /** Whether CALLER may list every table: root and the helper's own user. */
  privileged(caller: Caller): boolean {
    return caller.uid === 0 || caller.uid === this.helperUid;
  }

  /** The helper answered CALLER with this mapping of TABLE: from now on its user may list it. */
  answered(caller: Caller, table: AddressMapper, entry: { v4: string; v6: string }): void {
    if (table !== this.shared || this.privileged(caller)) return;
    const key = entry.v4; // the mapper's own text, as in its rows
    let seen = this.witnesses.get(key);
    if (!seen || seen.v6 !== entry.v6) this.witnesses.set(key, (seen = { v6: entry.v6, uids: new Set() }));
    seen.uids.add(caller.uid);
  }

  /** What `bia status` of CALLER lists, in order. Scope user: the caller's own table. */
  listed(caller: Caller): Listed[] {
    if (this.scope === 'user') return [{ table: this.of(caller), shows: ALL }];
    if (this.privileged(caller)) return [...this.all()].map((table) => ({ table, shows: ALL }));
    const shows = (row: TableRow) => {
      const seen = this.witnesses.get(row.v4);
      return seen !== undefined && seen.v6 === row.v6 && seen.uids.has(caller.uid);
    };
    const mine = [...this.own.values()].filter((o) => o.uid === caller.uid).map((o) => ({ table: o.table, shows: ALL }));
    return [{ table: this.shared, shows }, ...mine];
  }

  /** Sweeps every table, and forgets witnesses of mappings that left the shared one. */
  sweep(): number {
    let expired = 0;
    for (const table of this.all()) expired += table.sweep();
    for (const v4 of this.witnesses.keys()) if (!this.shared.has(v4)) this.witnesses.delete(v4);
    return expired;
  }
}
