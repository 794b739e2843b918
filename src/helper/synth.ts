// Synthesized IPv6 addresses for IPv4-only peers of IPv6 programs (draft
// section 5.1), in one of four formats (docs/architecture.md, "Address
// formats"):
//   mapped  ::ffff:0:0/96 + IPv4 (shanti section 2), the default: the kernel
//           carries it over IPv4 itself;
//   prefix  a configured /96 + IPv4 (virtual-ipv6-connectivity section 3;
//           RFC 6052's 64:ff9b::/96 by default);
//   m46a    M46A prefix | plane ID | IPv4 (m46t section 2.1), so that
//           overlapping private IPv4 planes stay distinct;
//   pool    an address allocated from a configured prefix per IPv4 address
//           (BIA draft 2.3), kept in a table.
// The first three are functions of the IPv4 address; the preload computes
// and recognises them itself from the HELLO reply's parameters. What a
// format's parameters are, and when they fit together, is
// mapping/synth-format.ts.
import { Address4, Address6 } from 'ip-address';
import { synthParams, type SynthSettings } from '../mapping/synth-format.js';
import { v6FromBytes, v6ToBytes } from '../wire/addresses.js';
import { SynthFormat, type SynthParams } from '../wire/messages.js';

const bigOf = (v6: string) => new Address6(v6).bigInt();
const v4Big = (v4: string) => new Address4(v4).bigInt();

/**
 * Turns IPv4 addresses into synthesized IPv6 ones and back. For the pool
 * format addresses are handed out in order and never reused, so an address
 * a program holds never stands for another peer; when the prefix is used
 * up, synthesis fails (POOL_EXHAUSTED). The table outlives the helper:
 * `onAllocate` hands each new pair to the state store, and `restore` takes
 * them back at start-up.
 */
export class Synthesizer {
  readonly params: SynthParams;
  // The /96 (as a number) the stateless formats put the IPv4 address under.
  private readonly base: bigint;
  private readonly poolBase: bigint;
  private readonly poolSize: bigint;
  private readonly v6ByV4 = new Map<string, string>();
  private readonly v4ByV6 = new Map<string, string>();
  private next = 1n; // the prefix's own address (subnet-router anycast) is skipped
  /** Called with each pool-format pair as it is made, before it is handed out. */
  onAllocate?: (v4: string, v6: string) => void;
  /** False while a new pool-format pair could not be saved (statestore.ts): none is made then. */
  canAllocate?: () => boolean;

  constructor(settings: SynthSettings = { format: 'mapped' }) {
    this.params = synthParams(settings);
    const prefix = bigOf(this.params.prefix);
    const plane = this.params.format === SynthFormat.M46a ? BigInt(this.params.plane) << 32n : 0n;
    this.base = prefix | plane;
    this.poolBase = prefix;
    this.poolSize = 1n << BigInt(128 - this.params.prefixLen);
  }

  get format(): SynthFormat {
    return this.params.format;
  }

  /** The synthesized IPv6 address (canonical text) standing for `v4`; undefined when the pool is used up. */
  toV6(v4: string): string | undefined {
    if (this.params.format !== SynthFormat.Pool) return text6(this.base | v4Big(v4));
    const known = this.v6ByV4.get(v4);
    if (known || this.next >= this.poolSize - 1n || this.canAllocate?.() === false) return known;
    const v6 = text6(this.poolBase + this.next++);
    this.v6ByV4.set(v4, v6);
    this.v4ByV6.set(v6, v4);
    this.onAllocate?.(v4, v6);
    return v6;
  }

  /**
   * Takes back a pair a previous helper made; false (nothing kept) when it
   * does not fit this table: another format or prefix, or either address
   * already taken.
   */
  restore(v4: string, v6: string): boolean {
    if (!this.inPool(v6)) return false;
    const canonical = text6(bigOf(v6));
    const index = bigOf(v6) - this.poolBase;
    if (index < 1n || index >= this.poolSize - 1n || this.v6ByV4.has(v4) || this.v4ByV6.has(canonical)) return false;
    this.v6ByV4.set(v4, canonical);
    this.v4ByV6.set(canonical, v4);
    if (index >= this.next) this.next = index + 1n;
    return true;
  }

  /** The pool-format pairs made so far. */
  *pairs(): Iterable<{ v4: string; v6: string }> {
    for (const [v4, v6] of this.v6ByV4) yield { v4, v6 };
  }

  /** Whether `v6` is in the pool format's prefix (known to the table or not). */
  inPool(v6: string): boolean {
    return this.params.format === SynthFormat.Pool && bigOf(v6) >> BigInt(128 - this.params.prefixLen) === this.poolBase >> BigInt(128 - this.params.prefixLen);
  }

  /**
   * The IPv4 address a synthesized `v6` stands for, or undefined if it is not
   * one. `v6` is canonical text (as decoded from the wire), where every
   * IPv4-mapped address starts with "::ffff:": in the default format the
   * rest (every MAP6 of a real IPv6 peer) are turned away without parsing.
   */
  toV4(v6: string): string | undefined {
    if (this.params.format === SynthFormat.Mapped && !v6.startsWith('::ffff:')) return undefined;
    const bytes = v6ToBytes(v6);
    if (this.params.format === SynthFormat.Pool) return this.v4ByV6.get(v6FromBytes(bytes));
    if (bigOf(v6) >> 32n !== this.base >> 32n) return undefined;
    return Array.from(bytes.subarray(12)).join('.');
  }
}

function text6(n: bigint): string {
  return Address6.fromBigInt(n).correctForm();
}
