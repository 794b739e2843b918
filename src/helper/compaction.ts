// Folding the journal into a new snapshot (docs/mapping-lifecycle.md,
// Persistence), so that a crash or a failure at any step leaves a snapshot
// and a journal that together hold every mapping. Recovery reads a journal
// only when its header's generation is at least the snapshot's.
//
//   1. snapshot.tmp (generation G+1, sealed by its trailer) and journal.tmp
//      (a header of G+1) are written and fsynced. A failure here (a full
//      disk) removes them and leaves the old pair of generation G.
//   2. snapshot.tmp is renamed over the snapshot, and the directory synced:
//      the commit. The snapshot now holds everything, and the old journal
//      (G) is skipped as folded in.
//   3. journal.tmp is renamed over the journal, and the directory synced, so
//      that the rename of step 2 cannot be lost while this one is kept (an
//      empty journal of G+1 after a snapshot of G would drop the old
//      journal's records). Should this fail, the caller starts a journal of
//      G+1 (startJournal) before it appends anything: appended to the old
//      one, records would be skipped as folded in.
import fs from 'node:fs';
import path from 'node:path';
import { encodeLine, sealed, STATE_FORMAT, type StateRecord } from './stateformat.js';

export const SNAPSHOT_FILE = 'mappings.snapshot';
export const JOURNAL_FILE = 'mappings.journal';
/** What a file is written as before it is renamed into place. */
export const TMP_SUFFIX = '.tmp';

// Bytes (about) per write of a snapshot.
const WRITE_CHUNK = 1 << 16;

export interface Compaction {
  /** The new snapshot is in place (step 2). */
  committed: boolean;
  /** What failed; with `committed`, the journal of the new generation is still to be started. */
  error?: Error;
}

/** Writes `records` as the snapshot of generation `gen` and starts its empty journal. */
export function compactInto(dir: string, gen: number, records: Iterable<StateRecord>): Compaction {
  const snapshot = path.join(dir, SNAPSHOT_FILE);
  const journal = path.join(dir, JOURNAL_FILE);
  const header = encodeLine({ t: 'header', format: STATE_FORMAT, gen });
  try {
    writeAside(snapshot, sealed(linesOf(header, records)));
    writeAside(journal, [header]);
    fs.renameSync(snapshot + TMP_SUFFIX, snapshot);
  } catch (err) {
    removeQuietly(snapshot + TMP_SUFFIX);
    removeQuietly(journal + TMP_SUFFIX);
    return { committed: false, error: err as Error };
  }
  try {
    syncDir(dir);
    fs.renameSync(journal + TMP_SUFFIX, journal);
    syncDir(dir);
    return { committed: true };
  } catch (err) {
    removeQuietly(journal + TMP_SUFFIX);
    return { committed: true, error: err as Error };
  }
}

/** Replaces the journal with an empty one of generation `gen` (step 3 again). */
export function startJournal(dir: string, gen: number): void {
  const journal = path.join(dir, JOURNAL_FILE);
  try {
    writeAside(journal, [encodeLine({ t: 'header', format: STATE_FORMAT, gen })]);
    fs.renameSync(journal + TMP_SUFFIX, journal);
  } catch (err) {
    removeQuietly(journal + TMP_SUFFIX);
    throw err;
  }
  syncDir(dir);
}

// Written a chunk at a time: the text of a million mappings at once would
// be some 150 MB of strings, and the heap would keep the room.
function writeAside(file: string, lines: Iterable<string>): void {
  const fd = fs.openSync(file + TMP_SUFFIX, 'w', 0o600);
  try {
    let chunk = '';
    for (const line of lines) {
      chunk += line;
      if (chunk.length < WRITE_CHUNK) continue;
      writeAll(fd, chunk);
      chunk = '';
    }
    writeAll(fd, chunk);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

// writeSync may write less than it was given.
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  for (let done = 0; done < buf.length; ) done += fs.writeSync(fd, buf, done);
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone, or the next start-up removes it.
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function* linesOf(header: string, records: Iterable<StateRecord>): Generator<string> {
  yield header;
  for (const record of records) yield encodeLine(record);
}
