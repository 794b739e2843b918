// Abuse resistance (BIA section 9): one process, or one user, must not be
// able to take the whole pool or flood the helper with allocations and so
// deny every other program its mappings. Each new pool mapping is charged to
// the process that caused it and to its user: a cap on how many such
// mappings may live at once, and a token bucket on how fast they may be made.
// Mappings that already exist are never charged, so programs sharing a peer
// share its mapping for free, and a refusal takes nothing from anyone else.
import fs from 'node:fs';
import { DEFAULT_QUOTA_LIMITS, type QuotaLimits } from '../config/values.js';

/** A bucket holds this many seconds of its rate: a burst at program start-up passes. */
const BURST_SECONDS = 10;
/** One log line per account per this long, so a process hammering the limit cannot flood the log. */
const LOG_EVERY_MS = 10_000;

/** Who asked: SO_PEERCRED of the connection. */
export interface Caller {
  pid: number;
  uid: number;
}

class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = rate * BURST_SECONDS;
    this.at = now;
  }

  available(now: number): boolean {
    this.tokens = Math.min(this.rate * BURST_SECONDS, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    return this.tokens >= 1;
  }

  take(): void {
    this.tokens -= 1;
  }
}

/** What one process or one user has: live mappings it caused, and its allocation rate. */
class Tally {
  live = 0;
  loggedAt = -Infinity;
  readonly bucket: Bucket;

  constructor(
    readonly limit: number,
    rate: number,
    now: number,
  ) {
    this.bucket = new Bucket(rate, now);
  }

  /** Why it may not allocate now, or undefined. */
  refusal(now: number, who: string): string | undefined {
    if (this.live >= this.limit) return `${who} already has ${this.live} pool mappings, its quota`;
    if (!this.bucket.available(now)) return `${who} allocates faster than its rate allows`;
    return undefined;
  }
}

/** What a mapping is charged to; refunded when the mapping leaves the table. */
export interface Account {
  /** Why the caller may not allocate now, or undefined; logs the refusal (rate-limited). */
  refusal(): string | undefined;
  charge(): void;
  refund(): void;
}

export class Quotas {
  private readonly processes = new Map<number, Tally>();
  private readonly users = new Map<number, Tally>();
  // Per process (and the user it ran as when its account was opened).
  private readonly accounts = new Map<number, { uid: number; account: Account }>();

  constructor(
    private readonly limits: QuotaLimits = DEFAULT_QUOTA_LIMITS,
    private readonly now: () => number = Date.now,
    private readonly onRefusal: (caller: Caller, why: string) => void = () => {},
  ) {}

  /** The account of a caller: the same object for every request of one process, so mappings charged to it cost nothing each. */
  account(caller: Caller): Account {
    const known = this.accounts.get(caller.pid);
    if (known?.uid === caller.uid) return known.account;
    const account = this.open(caller);
    this.accounts.set(caller.pid, { uid: caller.uid, account });
    return account;
  }

  /** The process is gone: a new process with its pid starts afresh (its mappings stay charged to the user). */
  forgetProcess(pid: number): void {
    this.processes.delete(pid);
    this.accounts.delete(pid);
  }

  private open(caller: Caller): Account {
    const now = this.now();
    const proc = getOr(this.processes, caller.pid, () => new Tally(this.limits.perProcess, this.limits.ratePerProcess, now));
    const user = getOr(this.users, caller.uid, () => new Tally(this.limits.perUser, this.limits.ratePerUser, now));
    return {
      refusal: () => {
        const t = this.now();
        const why = proc.refusal(t, `process ${caller.pid}`) ?? user.refusal(t, `user ${caller.uid}`);
        if (why && t - proc.loggedAt >= LOG_EVERY_MS) {
          proc.loggedAt = t;
          this.onRefusal(caller, why);
        }
        return why;
      },
      charge: () => {
        proc.live++;
        proc.bucket.take();
        user.live++;
        user.bucket.take();
      },
      refund: () => {
        proc.live = Math.max(0, proc.live - 1);
        user.live = Math.max(0, user.live - 1);
      },
    };
  }
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

/** The executable of a process, for log lines; '?' when it cannot be read. */
export function exeOf(pid: number): string {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '?';
  }
}
