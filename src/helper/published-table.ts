// The published table (docs/protocol.md, "The published table"): the pool
// mappings in a file next to the socket that every program's preload maps
// read-only, so that a connect to a pool address the helper already maps
// needs no round trip. The file's layout and its seqlock are
// native/maptable.cc's; this turns the mapper's changes into records.
import type { Logger } from '../log.js';
import { openMapTable, type MapTableFile } from '../native.js';
import type { MappingSink } from './mapper.js';
import type { Pool } from './pool.js';

/** bia_maptable.h: the table's suffix, and the `until` of a mapping in use. */
const MAPTABLE_SUFFIX = '.map';
const HELD = 0xffffffff;

export class PublishedTable implements MappingSink {
  private constructor(
    private readonly file: MapTableFile,
    private readonly base: number,
  ) {}

  /** A new table for `pool` next to `socketPath`; undefined (logged) when it cannot be made: programs then ask. */
  static open(socketPath: string, pool: Pool, log: Logger): PublishedTable | undefined {
    const path = socketPath + MAPTABLE_SUFFIX;
    try {
      return new PublishedTable(openMapTable(path, pool.base, pool.size), pool.base);
    } catch (err) {
      log.warn(`cannot publish the mapping table at ${path} (programs will ask for each mapping instead): ${(err as Error).message}`);
      return undefined;
    }
  }

  set(v4: number, until: number, words: Uint32Array, at: number): void {
    // Whole seconds, rounded down: a reader stops trusting a record no later than the helper expires it.
    const seconds = until === Infinity ? HELD : Math.min(Math.floor(until / 1000), HELD - 1);
    this.file.set(v4 - this.base, seconds, words[at], words[at + 1], words[at + 2], words[at + 3]);
  }

  clear(v4: number): void {
    this.file.clear(v4 - this.base);
  }

  /** What HELLO answers now (a reply frame), for bia run and the preload to read instead of asking. */
  setHello(frame: Buffer): void {
    this.file.setHello(frame);
  }

  /** The helper stops: programs go back to asking it. */
  retire(): void {
    this.file.retire();
  }
}
