// Which processes use which mappings (the preload's USE and RELEASE
// notifications, docs/protocol.md): a mapping that some socket uses is held
// in the mapper, so it is never expired or given to another peer. Uses are
// counted per process (SO_PEERCRED pid), so a process that dies without
// releasing (kill -9, a crash, a close the library never saw) gives its
// uses back when the helper notices it is gone: a pid is gone when
// /proc/PID/stat is missing or shows another start time (the pid was reused).
import fs from 'node:fs';
import type { AddressMapper } from './mapper.js';
import { v4ToInt, v4ToText } from './pool.js';

/** How the start time of a process is learned; undefined when there is no such process. */
export type Liveness = { startTime(pid: number): string | undefined };

/** The start time of a process (field 22 of /proc/PID/stat, clock ticks since boot); undefined when it does not exist. */
function procStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export const PROC_LIVENESS: Liveness = { startTime: procStartTime };

interface ProcessUses {
  started: string | undefined;
  /** Sockets of this process per mapping, by IPv4 address as a number (no string kept per mapping). */
  counts: Map<number, number>;
}

export class UsageTracker {
  private readonly processes = new Map<number, ProcessUses>();

  constructor(
    private readonly mapper: (pid: number) => AddressMapper,
    private readonly liveness: Liveness = PROC_LIVENESS,
    private readonly onGone: (pid: number) => void = () => {},
  ) {}

  /** A client process is seen (a connection from it): it is watched until it ends. */
  seen(pid: number): void {
    this.process(pid);
  }

  /** Sockets of `pid` started using the mappings of `v4s` (one socket each). Unknown addresses are not held. */
  use(pid: number, v4s: string[]): void {
    const proc = this.process(pid);
    for (const v4 of v4s) {
      const entry = this.mapper(pid).hold(v4);
      if (!entry) continue;
      const key = v4ToInt(entry.v4);
      proc.counts.set(key, (proc.counts.get(key) ?? 0) + 1);
    }
  }

  /** Sockets of `pid` stopped using them. A release this process never announced is ignored. */
  release(pid: number, v4s: string[]): void {
    const proc = this.processes.get(pid);
    if (!proc) return;
    for (const v4 of v4s) {
      const key = v4ToInt(v4);
      const n = proc.counts.get(key) ?? 0;
      if (n === 0) continue;
      if (n === 1) proc.counts.delete(key);
      else proc.counts.set(key, n - 1);
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

  /** Processes watched. */
  get size(): number {
    return this.processes.size;
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

  private drop(pid: number, proc: ProcessUses): void {
    this.processes.delete(pid);
    for (const [v4, n] of proc.counts) for (let i = 0; i < n; i++) this.mapper(pid).unhold(v4ToText(v4));
    this.onGone(pid);
  }
}
