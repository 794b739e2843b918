// Which processes use which mappings (the preload's USE and RELEASE
// notifications, docs/protocol.md): a mapping that some socket uses is held
// in the mapper, so it is never expired or given to another peer. Uses are
// counted per process (SO_PEERCRED pid); the preload reports only a
// process's first socket on a mapping and its last, so a count is normally
// 0 or 1 (more only for a process that uses more distinct mappings than the
// preload counts, which reports each socket). A process that dies without
// releasing (kill -9, a crash, a close the library never saw) gives its
// uses back when the helper notices it is gone: a pid is gone when
// /proc/PID/stat is missing or shows another start time (the pid was reused).
//
// Uses survive a helper restart: each change reaches the journal within
// PERSIST_DELAY_MS (statestore.ts), and a restarted helper takes back the
// uses of processes that still run with the same start time.
import fs from 'node:fs';
import type { AddressMapper } from './mapper.js';
import { v4ToInt, v4ToText } from '../wire/addresses.js';

/** How the start time of a process is learned; undefined when there is no such process. */
export type Liveness = { startTime(pid: number): string | undefined };

/** What the state files keep of one process's use of one mapping. */
export interface UseRecord {
  pid: number;
  /** The process's start time as Liveness gives it: tells the process from a later one with the same pid. */
  start: string;
  v4: string;
  /** Its sockets using the mapping; 0 when it stopped. */
  n: number;
}

// Changes are written in batches: a use that starts and ends within this
// time (a short connection) costs no disk write at all.
export const PERSIST_DELAY_MS = 50;

let bootId: string | undefined;

/** The boot the start times count from: they restart at 0 with each boot. */
function boot(): string {
  try {
    bootId ??= fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
  } catch {
    bootId = '';
  }
  return bootId;
}

/** The start time of a process (field 22 of /proc/PID/stat, clock ticks since boot); undefined when it does not exist. */
function procStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return `${boot()}/${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return undefined;
  }
}

export const PROC_LIVENESS: Liveness = { startTime: procStartTime };

interface ProcessUses {
  started: string | undefined;
  /** Uses of this process per mapping, by IPv4 address as a number (no string kept per mapping). */
  counts: Map<number, number>;
}

export class UsageTracker {
  private readonly processes = new Map<number, ProcessUses>();
  // pid -> mappings whose count changed since the last write, with what the files say.
  private readonly dirty = new Map<number, Map<number, number>>();
  private persistTimer: NodeJS.Timeout | undefined;

  /** `persist` takes changes to keep across a restart; without it uses are not saved. */
  constructor(
    private readonly mapper: (pid: number) => AddressMapper,
    private readonly liveness: Liveness = PROC_LIVENESS,
    private readonly onGone: (pid: number) => void = () => {},
    private readonly persist?: (records: UseRecord[]) => void,
  ) {}

  /** A client process is seen (a connection from it): it is watched until it ends. */
  seen(pid: number): void {
    this.process(pid);
  }

  /** Uses of `pid` started on the mappings of `v4s` (one each). Unknown addresses are not held. */
  use(pid: number, v4s: string[]): void {
    const proc = this.process(pid);
    for (const v4 of v4s) {
      const entry = this.mapper(pid).hold(v4);
      if (!entry) continue;
      const key = v4ToInt(entry.v4);
      this.set(pid, proc, key, (proc.counts.get(key) ?? 0) + 1);
    }
  }

  /** Uses of `pid` ended. A release this process never announced is ignored. */
  release(pid: number, v4s: string[]): void {
    const proc = this.processes.get(pid);
    if (!proc) return;
    for (const v4 of v4s) {
      const key = v4ToInt(v4);
      const n = proc.counts.get(key) ?? 0;
      if (n === 0) continue;
      this.set(pid, proc, key, n - 1);
      this.mapper(pid).unhold(v4);
    }
  }

  /** Gives back the uses of processes that ended; returns how many ended. */
  reap(): number {
    let gone = 0;
    for (const [pid, proc] of this.processes) {
      if (this.alive(pid, proc)) continue;
      this.drop(pid, proc);
      gone++;
    }
    return gone;
  }

  /**
   * Takes back the uses saved by a previous helper (the last record of each
   * process and mapping counts) of processes still running since then;
   * returns how many processes that is. Call after the mappings are restored.
   */
  restore(records: UseRecord[]): number {
    const last = new Map<string, UseRecord>();
    for (const r of records) last.set(`${r.pid}/${r.start}/${r.v4}`, r);
    for (const r of last.values()) {
      if (r.n === 0 || this.liveness.startTime(r.pid) !== r.start) continue;
      const proc = this.process(r.pid);
      const key = v4ToInt(r.v4);
      for (let i = 0; i < r.n && this.mapper(r.pid).hold(r.v4); i++) proc.counts.set(key, (proc.counts.get(key) ?? 0) + 1);
    }
    return [...this.processes.values()].filter((p) => p.counts.size > 0).length;
  }

  /** Every use now, for a snapshot of the state: what the files hold from then on. */
  records(): UseRecord[] {
    const all: UseRecord[] = [];
    for (const [pid, proc] of this.processes)
      if (proc.started !== undefined) for (const [v4, n] of proc.counts) all.push({ pid, start: proc.started, v4: v4ToText(v4), n });
    for (const [pid, changed] of this.dirty) for (const v4 of changed.keys()) changed.set(v4, this.processes.get(pid)?.counts.get(v4) ?? 0);
    return all;
  }

  /** Writes the changes not written yet (the timer does it within PERSIST_DELAY_MS). */
  flush(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    const records: UseRecord[] = [];
    for (const [pid, changed] of this.dirty) {
      const proc = this.processes.get(pid);
      if (proc?.started === undefined) continue;
      for (const [v4, saved] of changed) {
        const n = proc.counts.get(v4) ?? 0;
        if (n !== saved) records.push({ pid, start: proc.started, v4: v4ToText(v4), n });
      }
    }
    this.dirty.clear();
    if (records.length > 0) this.persist?.(records);
  }

  /** Processes watched. */
  get size(): number {
    return this.processes.size;
  }

  private set(pid: number, proc: ProcessUses, v4: number, n: number): void {
    if (this.persist) this.markDirty(pid, v4, proc.counts.get(v4) ?? 0);
    if (n === 0) proc.counts.delete(v4);
    else proc.counts.set(v4, n);
  }

  // The first change since the last write remembers what the files hold.
  private markDirty(pid: number, v4: number, before: number): void {
    let changed = this.dirty.get(pid);
    if (!changed) this.dirty.set(pid, (changed = new Map()));
    if (!changed.has(v4)) changed.set(v4, before);
    this.persistTimer ??= setTimeout(() => this.flush(), PERSIST_DELAY_MS).unref();
  }

  // Known pids are not re-checked here (that is reap's job), so a use costs
  // no file read; a pid reused between two reaps merges with its dead
  // predecessor, which only holds mappings a little longer.
  private process(pid: number): ProcessUses {
    const known = this.processes.get(pid);
    if (known) return known;
    const fresh = { started: this.liveness.startTime(pid), counts: new Map<number, number>() };
    this.processes.set(pid, fresh);
    return fresh;
  }

  private alive(pid: number, proc: ProcessUses): boolean {
    const now = this.liveness.startTime(pid);
    return now !== undefined && now === proc.started;
  }

  // A dead process's records need no update: a restarted helper checks
  // liveness itself, and the next snapshot leaves them out.
  private drop(pid: number, proc: ProcessUses): void {
    this.processes.delete(pid);
    this.dirty.delete(pid);
    for (const [v4, n] of proc.counts) for (let i = 0; i < n; i++) this.mapper(pid).unhold(v4ToText(v4));
    this.onGone(pid);
  }
}
