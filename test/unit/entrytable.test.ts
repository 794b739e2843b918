// The mapper's compact table (entrytable.ts) and its IPv6 word codec
// (wire/addresses.ts v6ToWords), checked against the string forms and a Map model.
import { describe, expect, it } from 'vitest';
import { EntryTable, NONE } from '../../src/helper/entrytable.js';

import { canonicalV6, v6FromWords as formatV6, v6ToWords as parseV6 } from '../../src/wire/addresses.js';
import { prng } from '../support/prng.js';

// Addresses with runs of zero groups of every length and place, where
// canonical forms differ most.
function randomV6(rand: () => number): string {
  const groups = Array.from({ length: 8 }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * 0x10000)));
  return groups.map((g) => g.toString(16)).join(':');
}

describe('IPv6 words', () => {
  it('parses and formats like canonicalV6', () => {
    const rand = prng(8);
    const w = new Uint32Array(4);
    for (let i = 0; i < 5000; i++) {
      const text = randomV6(rand);
      const canonical = canonicalV6(text)!;
      expect(parseV6(text, w)).toBe(true);
      expect(formatV6(w)).toBe(canonical);
      expect(parseV6(canonical, w)).toBe(true);
      expect(formatV6(w)).toBe(canonical);
    }
  });

  it('takes the forms the full parser takes and rejects what it rejects', () => {
    const w = new Uint32Array(4);
    for (const text of ['::', '::1', '1::', '1:2:3:4:5:6:7::', '::ffff:192.0.2.1', '2001:DB8::A', '0:0:0:0:0:0:0:1', '64:ff9b::192.0.2.33']) {
      expect(parseV6(text, w), text).toBe(true);
      expect(formatV6(w), text).toBe(canonicalV6(text));
    }
    for (const text of ['', ':', ':1::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1%eth0', '::1/64', '1.2.3.4', '::256.0.0.1', ' ::1']) {
      expect(parseV6(text, w), text).toBe(false);
      expect(canonicalV6(text), text).toBeUndefined();
    }
  });
});

describe('EntryTable', () => {
  it('finds what was indexed and nothing else, through growth, deletion and slot reuse', () => {
    const rand = prng(88);
    const t = new EntryTable();
    const model4 = new Map<number, number>();
    const model6 = new Map<string, number>();
    const w = new Uint32Array(4);
    for (let op = 0; op < 20000; op++) {
      const v4 = Math.floor(rand() * 3000);
      const v6 = canonicalV6(`2001:db8::${Math.floor(rand() * 3000).toString(16)}`)!;
      parseV6(v6, w);
      const known = model4.get(v4);
      if (known !== undefined && rand() < 0.5) {
        expect(t.find4(v4)).toBe(known);
        t.unindex4(known);
        t.unindex6(known);
        const key = formatV6(t.v6, 4 * known);
        if (model6.get(key) === known) model6.delete(key);
        t.free(known);
        model4.delete(v4);
      } else if (known === undefined) {
        const s = t.allocate(3);
        t.v4[s] = v4;
        t.v6.set(w, 4 * s);
        t.index4(s);
        t.index6(s);
        model4.set(v4, s);
        model6.set(v6, s);
      }
      const probe = Math.floor(rand() * 3000);
      expect(t.find4(probe)).toBe(model4.get(probe) ?? NONE);
      const probe6 = canonicalV6(`2001:db8::${Math.floor(rand() * 3000).toString(16)}`)!;
      parseV6(probe6, w);
      expect(t.find6(w)).toBe(model6.get(probe6) ?? NONE);
    }
    expect(t.count).toBe(model4.size);
    expect([...t.slots()].sort((a, b) => a - b)).toEqual([...model4.values()].sort((a, b) => a - b));
  });
});
