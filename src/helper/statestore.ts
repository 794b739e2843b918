// Durable mappings (docs/mapping-lifecycle.md, Persistence): a snapshot plus
// an append-only journal under the state directory. A new mapping is
// written to the journal, whole, before the reply that hands it out is sent,
// so a `kill -9` of the helper loses nothing a program was told (the kernel
// has the data once write() returns); appends of one tick share one write.
// When the journal cannot be written (a full disk), what was not written
// stays queued and no new pool address is handed out (`accepting`) until a
// retry gets it written. The fdatasync against a crash of the whole machine,
// which also ends every program that heard of the newest mappings, follows
// within SYNC_DELAY_MS, off the reply path. The journal is folded into a new
// snapshot now and then.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../log.js';
import { lockFile } from '../native.js';
import { Kind } from '../wire/messages.js';
import { compactInto, JOURNAL_FILE, SNAPSHOT_FILE, startJournal, TMP_SUFFIX } from './compaction.js';
import type { AddressMapper, MapperEntry } from './mapper.js';
import type { Synthesizer } from './synth.js';
import type { UseRecord } from './usage.js';
import { encodeLine, parseFile, SEALED_FORMAT, type ParsedFile, type StateRecord } from './stateformat.js';

const fdatasync = promisify(fs.fdatasync);

export { JOURNAL_FILE, SNAPSHOT_FILE };
export const LOCK_FILE = 'lock';

/** Another helper holds the state directory (two helpers on different sockets, one state). */
export class StateInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: string,
  ) {
    super(`another bia helper${holder ? ` (pid ${holder})` : ''} is using the saved mappings in ${dir}; stop it, or give this one another XDG_STATE_HOME`);
    this.name = 'StateInUseError';
  }
}
// Folding costs a rewrite of the whole table, so it waits until the journal
// holds at least this many records and more records than the table.
const COMPACT_MIN_RECORDS = 1000;
// How long a written record may wait for its fdatasync.
const SYNC_DELAY_MS = 1000;
// How often a journal that could not be written is tried again when no
// request tries it first.
const RETRY_MS = 1000;

/** What was read back at start-up. */
export interface RecoveredState {
  records: StateRecord[];
  /** Some state could not be read: any pool address may have been handed out. */
  lost: boolean;
}

const entryRecord = ({ kind, v4, v6, ttl, lastUsed, cachedUntil, name }: MapperEntry): StateRecord => ({ t: 'entry', kind, v4, v6, ttl, lastUsed, cachedUntil, name });

export class StateStore {
  private gen = 0;
  private fd: number | undefined;
  // The journal's length as far as it is whole: a write cut short is cut back to it.
  private size = 0;
  private lockFd: number | undefined;
  // Lines not in the journal yet: this tick's, and any a failed write left.
  private pending: string[] = [];
  // Pool and synthesized addresses whose latest record is among `pending`.
  private unsaved = new Set<string>();
  // Why the journal cannot be written now; undefined while it can.
  private failure: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  // The journal in place is not one recovery would read next (a compaction
  // replaced the snapshot but could not start the journal after it, or
  // recovery found it stale, without a header, damaged or missing): one of
  // this generation is started before anything is appended.
  private journalMissing = false;
  // The journal ends in part of a line that could not be cut off yet.
  private torn = false;
  private compactFailure: string | undefined;
  private journalRecords = 0;
  // Fsyncs and compactions run one after another.
  private chain: Promise<void> = Promise.resolve();
  // The write of this tick's appends, which later appends of the tick ride along with.
  private written: Promise<void> = Promise.resolve();
  private queued = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private synth: Synthesizer | undefined;
  private uses: (() => Iterable<UseRecord>) | undefined;

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  /**
   * Takes the directory for this process (flock on `lock`, which holds the
   * owner's pid for the message another helper gets); throws
   * StateInUseError when another process has it. The kernel drops the lock
   * with the process, so a crash leaves nothing stale.
   */
  lock(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, LOCK_FILE);
    try {
      this.lockFd = lockFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EWOULDBLOCK') throw err;
      throw new StateInUseError(this.dir, readHolder(file));
    }
    // The pid only names the holder in another helper's message: a full
    // disk must not keep this one from starting.
    try {
      fs.ftruncateSync(this.lockFd);
      fs.writeSync(this.lockFd, `${process.pid}\n`, 0);
    } catch (err) {
      this.log.warn(`cannot write this helper's pid to ${file}: ${(err as Error).message}`);
    }
  }

  /** Reads the state back; damaged files are moved aside with a log line. */
  recover(): RecoveredState {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.removeLeftovers();
    const snapshot = this.read(SNAPSHOT_FILE, true);
    const journal = this.read(JOURNAL_FILE, false);
    this.gen = Math.max(snapshot?.header?.gen ?? 0, journal?.header?.gen ?? 0);
    const records = [...(snapshot?.records ?? [])];
    // A journal older than the snapshot was already folded into it (a crash
    // between writing the two); one without a readable header is not trusted.
    const journalCurrent = journal?.header !== undefined && journal.header.gen >= (snapshot?.header?.gen ?? 0);
    if (journal && journalCurrent) records.push(...journal.records);
    const lost = [snapshot, journal].some((f) => f !== undefined && f.corrupt > 0);
    // Should the compaction at start-up fail, nothing may be appended to a
    // journal recovery would skip (stale, without a header, moved aside,
    // missing): a journal of this generation is started first. A torn last
    // line is cut off before the first append, not glued to it.
    this.journalMissing = !journal || !journalCurrent || journal.corrupt > 0;
    this.torn = !this.journalMissing && journal!.truncated;
    return { records, lost };
  }

  /** Queues the record of a new or extended mapping; `flush` makes it durable. */
  append(entry: MapperEntry): void {
    this.pending.push(encodeLine(entryRecord(entry)));
    if (entry.kind === Kind.Pool) this.unsaved.add(entry.v4);
  }

  /** Keeps the pool-format synthesized addresses of `synth` too: each new one
   * is journalled (before the reply that hands it out, as a mapping), and
   * snapshots hold them all. */
  keepSynth(synth: Synthesizer): void {
    this.synth = synth;
    synth.canAllocate = () => this.accepting;
    synth.onAllocate = (v4, v6) => {
      this.pending.push(encodeLine({ t: 'synth', v4, v6 }));
      this.unsaved.add(v6);
    };
  }

  /** Whether a new pool address may be handed out: only while its record can be written. */
  get accepting(): boolean {
    return this.failure === undefined;
  }

  /** Whether the latest record of the pool or synthesized address `address` is not written yet. */
  unsavedAddress(address: string): boolean {
    return this.unsaved.size > 0 && this.unsaved.has(address);
  }

  /** Keeps mapping uses too: `current` lists them for snapshots, appendUses journals changes. */
  keepUses(current: () => Iterable<UseRecord>): void {
    this.uses = current;
  }

  /** Queues changed use counts; nothing waits for them, so they are written at once. */
  appendUses(records: UseRecord[]): void {
    for (const r of records) this.pending.push(encodeLine({ t: 'uses', ...r }));
    void this.flush();
  }

  /** Resolves once everything appended so far is written to the journal (a helper crash cannot lose it). */
  flush(): Promise<void> {
    if (this.pending.length === 0 || this.queued) return this.written;
    this.queued = true;
    this.written = new Promise((resolve) =>
      queueMicrotask(() => {
        this.queued = false;
        this.writePending();
        resolve();
      }),
    );
    return this.written;
  }

  /** flush, at once: the caller is about to send replies that hand out what was appended. */
  flushNow(): void {
    this.writePending();
  }

  /** Writes a new snapshot of the mapper and starts an empty journal after it. */
  compact(mapper: AddressMapper): Promise<void> {
    this.chain = this.chain.then(() => this.compactNow(mapper));
    return this.chain;
  }

  compactIfDue(mapper: AddressMapper): Promise<void> {
    if (this.journalRecords + this.pending.length < Math.max(COMPACT_MIN_RECORDS, mapper.size)) return this.chain;
    return this.compact(mapper);
  }

  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.syncTimer);
    clearInterval(this.retryTimer);
    await this.chain;
    if (this.fd !== undefined) {
      fs.fdatasyncSync(this.fd);
      fs.closeSync(this.fd);
    }
    this.fd = undefined;
    if (this.lockFd !== undefined) fs.closeSync(this.lockFd);
    this.lockFd = undefined;
  }

  // What a compaction killed half-way left (compaction.ts): never trusted,
  // since a file is only renamed into place once it is whole.
  private removeLeftovers(): void {
    for (const name of [SNAPSHOT_FILE, JOURNAL_FILE]) {
      const tmp = path.join(this.dir, name + TMP_SUFFIX);
      try {
        fs.unlinkSync(tmp);
        this.log.info(`removed ${tmp}, left by a compaction that did not finish`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`cannot remove ${tmp}: ${(err as Error).message}`);
      }
    }
  }

  // A snapshot is renamed into place only once it is whole, so one that is
  // empty, cut short or (from format 4 on) without its trailer is damaged.
  private read(name: string, snapshot: boolean): ParsedFile | undefined {
    const file = path.join(this.dir, name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read the saved mappings in ${file}: ${(err as Error).message}`);
    }
    const parsed = parseFile(text);
    if (snapshot) damagedSnapshot(parsed, text.length);
    else if (parsed.truncated) {
      this.log.info(`${file}: dropped an incomplete last record (a write cut short by a crash; it was never acknowledged)`);
      this.size = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
    }
    if (parsed.header === undefined && parsed.corrupt === 0 && text.length > 0) parsed.corrupt = 1;
    if (parsed.corrupt > 0) this.moveAside(file, parsed);
    return parsed;
  }

  private moveAside(file: string, parsed: ParsedFile): void {
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(file, aside);
    this.log.error(
      `${file} is damaged (${parsed.corrupt} bad line(s): ${parsed.problems.join('; ') || 'no header'}); moved to ${aside}; ` +
        `kept ${parsed.records.length} good record(s); no pool address is handed out until the quarantine has passed`,
    );
  }

  // Synchronous: a small append to the page cache takes microseconds, and
  // the reply waits for it anyway. A write cut short (a full disk) is cut
  // back, so that the journal never holds half a line before a whole one,
  // and everything stays queued for the next try.
  private writePending(): void {
    if (this.pending.length === 0 && !this.journalMissing && !this.torn) return;
    const data = Buffer.from(this.pending.join(''));
    try {
      const fd = this.journalFd();
      if (this.torn) fs.ftruncateSync(fd, this.size);
      this.torn = false;
      for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done);
    } catch (err) {
      this.cutBack();
      return this.failed(err as Error);
    }
    this.size += data.length;
    this.journalRecords += this.pending.length;
    this.pending = [];
    this.unsaved.clear();
    this.recovered();
    this.syncSoon();
  }

  // Not even that (EIO): the next try cuts first, and nothing is appended
  // after the torn line meanwhile.
  private cutBack(): void {
    if (this.fd === undefined) return;
    try {
      fs.ftruncateSync(this.fd, this.size);
    } catch {
      this.torn = true;
    }
  }

  // Logged once per failure, not per try; retried on a timer until a
  // request's write or a compaction gets through first.
  private failed(err: Error): void {
    if (this.failure !== undefined) return;
    this.failure = err.message;
    this.log.error(`cannot write ${path.join(this.dir, JOURNAL_FILE)}: ${err.message}; no new pool address is handed out until it can be written (mappings already saved are still served)`);
    this.retryTimer = setInterval(() => this.writePending(), RETRY_MS).unref();
  }

  private recovered(): void {
    if (this.failure === undefined) return;
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    this.log.warn(`${path.join(this.dir, JOURNAL_FILE)} can be written again: new pool addresses are handed out again`);
    this.failure = undefined;
  }

  // A compaction in between closes the journal after syncing its own files:
  // nothing is left to sync then.
  private syncSoon(): void {
    this.syncTimer ??= setTimeout(() => {
      this.syncTimer = undefined;
      this.chain = this.chain.then(async () => {
        if (this.fd === undefined) return;
        try {
          await fdatasync(this.fd);
        } catch (err) {
          this.log.error(`cannot sync ${path.join(this.dir, JOURNAL_FILE)}: ${(err as Error).message}`);
        }
      });
    }, SYNC_DELAY_MS).unref();
  }

  private journalFd(): number {
    if (this.fd !== undefined) return this.fd;
    if (this.journalMissing) {
      startJournal(this.dir, this.gen);
      this.journalMissing = false;
    }
    this.fd = fs.openSync(path.join(this.dir, JOURNAL_FILE), 'a', 0o600);
    // A torn journal from before the restart keeps the length recover() found whole.
    if (!this.torn) this.size = fs.fstatSync(this.fd).size;
    return this.fd;
  }

  // compaction.ts writes both files aside and renames them into place. A
  // failure before the snapshot's rename leaves the old pair, which the
  // journal goes on from; one after it leaves a snapshot that holds
  // everything, and the journal after it is started before the next append.
  // Synchronous, so the table does not change while it is read.
  private compactNow(mapper: AddressMapper): void {
    const gen = this.gen + 1;
    const done = compactInto(this.dir, gen, stateOf(mapper, this.synth, this.uses));
    if (done.committed) {
      if (this.fd !== undefined) fs.closeSync(this.fd);
      this.fd = undefined;
      this.gen = gen;
      this.journalRecords = 0;
      // The snapshot holds them; written again they would revive mappings
      // that expired since.
      this.pending = [];
      this.unsaved.clear();
      this.journalMissing = done.error !== undefined;
      this.torn = false;
    }
    if (done.error === undefined) {
      if (this.compactFailure !== undefined) this.log.info(`compacted the state in ${this.dir} again`);
      this.compactFailure = undefined;
      this.recovered();
      return;
    }
    if (done.committed) this.failed(done.error);
    if (this.compactFailure === undefined) this.log.error(`cannot compact the state in ${this.dir}: ${done.error.message}; ${done.committed ? 'a new journal is started on the next write' : 'the journal keeps growing'}`);
    this.compactFailure = done.error.message;
  }
}

// Why a snapshot is not whole, as damage: `corrupt` makes recovery move it
// aside and embargo the pool.
function damagedSnapshot(parsed: ParsedFile, length: number): void {
  const why =
    length === 0
      ? 'the file is empty'
      : parsed.truncated
        ? 'the last line is cut short'
        : parsed.header && parsed.header.format >= SEALED_FORMAT && !parsed.sealed && parsed.corrupt === 0
          ? 'it ends without its trailer (cut short)'
          : undefined;
  if (why === undefined) return;
  parsed.corrupt++;
  parsed.problems.unshift(why);
}

function readHolder(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Everything a restarted helper needs: the table, the quarantine, any embargo, the synthesized pool addresses and the uses. */
function* stateOf(mapper: AddressMapper, synth: Synthesizer | undefined, uses: (() => Iterable<UseRecord>) | undefined): Generator<StateRecord> {
  for (const entry of mapper.entries()) yield entryRecord(entry);
  for (const { v4, until } of mapper.pool.quarantined()) yield { t: 'quarantine', v4, until };
  if (mapper.pool.embargoedUntil > 0) yield { t: 'embargo', until: mapper.pool.embargoedUntil };
  for (const { v4, v6 } of synth?.pairs() ?? []) yield { t: 'synth', v4, v6 };
  for (const use of uses?.() ?? []) yield { t: 'uses', ...use };
}
