import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/helper/heap.js';

describe('MinHeap', () => {
  it('pops items in key order whatever the push order', () => {
    const heap = new MinHeap<{ k: number }>((x) => x.k);
    // A fixed shuffle with duplicates, so the test is deterministic.
    const keys = [5, 3, 9, 1, 7, 3, 8, 2, 6, 0, 4, 9];
    keys.forEach((k) => heap.push({ k }));
    expect(heap.peek()?.k).toBe(0);
    expect(heap.values()).toHaveLength(keys.length);
    const out: number[] = [];
    for (let x = heap.pop(); x; x = heap.pop()) out.push(x.k);
    expect(out).toEqual([...keys].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});
