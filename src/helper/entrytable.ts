// The address mapper's entries as a struct of arrays: one slot per mapping,
// each field in a typed array, indexed by IPv4 and by IPv6 address with
// open-addressing hash tables of slot numbers. A mapping costs 73 bytes of
// slot and 8-16 of index here instead of about 300 as an object with its
// strings, boxed timestamps and Map entries (bench/shortfalls.md, memory),
// and the garbage collector never walks the table. The lifecycle rules live
// in mapper.ts.
import { randomBytes } from 'node:crypto';

/** No slot: an empty link, a failed lookup. */
export const NONE = -1;

const MIN_SLOTS = 64;
// The most slots reserved up front (about 77 MB of address space).
const MAX_RESERVE = 1 << 20;
// Bytes per slot: times (3 x f64), the IPv6 words (4 x u32), seven u32
// fields and the kind (u8).
const SLOT_BYTES = 3 * 8 + 4 * 4 + 7 * 4 + 1;

/**
 * Linear probing, slot + 1 per cell (0: empty), at most half full, with
 * backward-shift deletion (no tombstones). The hash is seeded per table so
 * that a client cannot choose addresses that all collide.
 */
class SlotIndex {
  cells = new Int32Array(16);
  mask = 15;
  used = 0;

  constructor(private readonly hashOf: (slot: number) => number) {}

  /** Puts `slot` in cell `at`: the empty cell a probe ended on (`fresh`), or the cell of the same key. */
  set(at: number, slot: number, fresh: boolean): void {
    this.cells[at] = slot + 1;
    if (fresh && ++this.used * 2 > this.cells.length) this.grow();
  }

  /** Empties cell `at` and moves up the cells after it that probed past it. */
  delete(at: number): void {
    const { cells, mask } = this;
    this.used--;
    let hole = at;
    for (let i = (hole + 1) & mask; cells[i] !== 0; i = (i + 1) & mask) {
      const home = this.hashOf(cells[i] - 1) & mask;
      // The entry at i may move to the hole if its home is not in (hole, i].
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        cells[hole] = cells[i];
        hole = i;
      }
    }
    cells[hole] = 0;
  }

  private grow(): void {
    const old = this.cells;
    this.cells = new Int32Array(old.length * 2);
    this.mask = this.cells.length - 1;
    for (const cell of old) {
      if (cell === 0) continue;
      let i = this.hashOf(cell - 1) & this.mask;
      while (this.cells[i] !== 0) i = (i + 1) & this.mask;
      this.cells[i] = cell;
    }
  }
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class EntryTable {
  /** Live slots. */
  count = 0;
  // Slots below `top` have been used; freed ones are chained through `next`.
  private top = 0;
  private freeHead = NONE;
  private capacity = 0;
  lastUsed!: Float64Array;
  cachedUntil!: Float64Array;
  created!: Float64Array;
  /** Four words per slot (wire/addresses.ts v6ToWords). */
  v6!: Uint32Array;
  v4!: Uint32Array;
  ttl!: Uint32Array;
  uses!: Uint32Array;
  inUse!: Uint32Array;
  /** Idle-list links (mapper.ts); `next` also chains free slots. */
  prev!: Int32Array;
  next!: Int32Array;
  /** A small number standing for the account a slot is charged to, NONE if none. */
  account!: Int32Array;
  /** 0 marks a free slot (protocol Kind values start at 1). */
  kind!: Uint8Array;
  /** Names of the entries that have one. */
  readonly names = new Map<number, string>();
  private readonly seed: number;
  private readonly byV4: SlotIndex;
  private readonly byV6: SlotIndex;

  /**
   * Room for `expected` entries is reserved at once (up to MAX_RESERVE): a
   * large zeroed allocation is mapped pages the kernel provides only when
   * first written, and slots are used from the bottom up, so the reserve
   * costs address space, not memory. Growing past it copies the table, and
   * the old copy stays until a full garbage collection, which a helper
   * whose heap hardly grows runs rarely.
   */
  constructor(expected = MIN_SLOTS) {
    this.seed = randomBytes(4).readUInt32LE(0);
    this.byV4 = new SlotIndex((s) => this.hash4(this.v4[s]));
    this.byV6 = new SlotIndex((s) => this.hash6(this.v6, 4 * s));
    let slots = MIN_SLOTS;
    while (slots < Math.min(expected, MAX_RESERVE)) slots *= 2;
    this.resize(slots);
  }

  /** A new slot of kind `kind`, not yet in either index. */
  allocate(kind: number): number {
    let slot = this.freeHead;
    if (slot !== NONE) this.freeHead = this.next[slot];
    else {
      if (this.top === this.capacity) this.resize(this.capacity * 2);
      slot = this.top++;
    }
    this.kind[slot] = kind;
    this.prev[slot] = this.next[slot] = this.account[slot] = NONE;
    this.uses[slot] = this.inUse[slot] = 0;
    this.count++;
    return slot;
  }

  /** Gives the slot back; the caller took it out of the indexes and lists first. */
  free(slot: number): void {
    this.kind[slot] = 0;
    this.names.delete(slot);
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
    this.count--;
  }

  /** Live slots in slot order: stable while the table does not change, for paging. */
  *slots(): Generator<number> {
    for (let s = 0; s < this.top; s++) if (this.kind[s] !== 0) yield s;
  }

  find4(v4: number): number {
    const { cells, mask } = this.byV4;
    for (let i = this.hash4(v4) & mask; cells[i] !== 0; i = (i + 1) & mask) {
      if (this.v4[cells[i] - 1] === v4) return cells[i] - 1;
    }
    return NONE;
  }

  /** The slot the IPv6 words `w` at `at` lead to. */
  find6(w: Uint32Array, at = 0): number {
    const { cells, mask } = this.byV6;
    for (let i = this.hash6(w, at) & mask; cells[i] !== 0; i = (i + 1) & mask) {
      if (this.same6(cells[i] - 1, w, at)) return cells[i] - 1;
    }
    return NONE;
  }

  /** Indexes `slot` by its IPv4 address; the caller made sure no other slot has it. */
  index4(slot: number): void {
    const { cells, mask } = this.byV4;
    let i = this.hash4(this.v4[slot]) & mask;
    while (cells[i] !== 0) i = (i + 1) & mask;
    this.byV4.set(i, slot, true);
  }

  /** Makes `slot` the one its IPv6 address leads to. */
  index6(slot: number): void {
    const { cells, mask } = this.byV6;
    let i = this.hash6(this.v6, 4 * slot) & mask;
    for (; cells[i] !== 0; i = (i + 1) & mask) {
      if (this.same6(cells[i] - 1, this.v6, 4 * slot)) return this.byV6.set(i, slot, false);
    }
    this.byV6.set(i, slot, true);
  }

  unindex4(slot: number): void {
    const { cells, mask } = this.byV4;
    for (let i = this.hash4(this.v4[slot]) & mask; cells[i] !== 0; i = (i + 1) & mask) {
      if (cells[i] === slot + 1) return this.byV4.delete(i);
    }
  }

  /** Drops the IPv6 key of `slot` if it leads to `slot` (another entry of the same address may hold it). */
  unindex6(slot: number): void {
    const { cells, mask } = this.byV6;
    for (let i = this.hash6(this.v6, 4 * slot) & mask; cells[i] !== 0; i = (i + 1) & mask) {
      if (cells[i] === slot + 1) return this.byV6.delete(i);
    }
  }

  /** Whether the IPv6 address of `slot` is the words `w` at `at`. */
  same6(slot: number, w: Uint32Array, at = 0): boolean {
    const v6 = this.v6;
    const o = 4 * slot;
    return v6[o] === w[at] && v6[o + 1] === w[at + 1] && v6[o + 2] === w[at + 2] && v6[o + 3] === w[at + 3];
  }

  private hash4(v4: number): number {
    return mix(v4 ^ this.seed);
  }

  private hash6(w: Uint32Array, at: number): number {
    let h = this.seed;
    for (let k = 0; k < 4; k++) h = mix(h ^ w[at + k]);
    return h;
  }

  // All fields in one buffer, so a resize is one allocation (large enough to
  // be mapped and unmapped whole: no heap fragmentation left behind).
  private resize(capacity: number): void {
    const buf = new ArrayBuffer(capacity * SLOT_BYTES);
    let at = 0;
    const take = <T>(make: (b: ArrayBuffer, at: number, n: number) => T, width: number, n = capacity): T => {
      const view = make(buf, at, n);
      at += width * n;
      return view;
    };
    const f64 = (b: ArrayBuffer, o: number, n: number) => new Float64Array(b, o, n);
    const u32 = (b: ArrayBuffer, o: number, n: number) => new Uint32Array(b, o, n);
    const i32 = (b: ArrayBuffer, o: number, n: number) => new Int32Array(b, o, n);
    const fields = {
      lastUsed: take(f64, 8),
      cachedUntil: take(f64, 8),
      created: take(f64, 8),
      v6: take(u32, 4, 4 * capacity),
      v4: take(u32, 4),
      ttl: take(u32, 4),
      uses: take(u32, 4),
      inUse: take(u32, 4),
      prev: take(i32, 4),
      next: take(i32, 4),
      account: take(i32, 4),
      kind: take((b, o, n) => new Uint8Array(b, o, n), 1),
    };
    if (this.capacity > 0) {
      for (const [name, view] of Object.entries(fields)) {
        const old = this[name as keyof typeof fields];
        view.set(old.subarray(0, name === 'v6' ? 4 * this.top : this.top) as never);
      }
    }
    Object.assign(this, fields);
    this.capacity = capacity;
  }
}
