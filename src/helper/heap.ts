// A binary min-heap: the pool's quarantine is ordered by the time each
// address may be handed out again, and those times do not arrive in release
// order (mappings promise clients different ttls), so a FIFO would not do.

export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly key: (item: T) => number) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.key(a[parent]) <= this.key(a[i])) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** The items in no particular order (snapshots). */
  values(): readonly T[] {
    return this.items;
  }

  private siftDown(i: number): void {
    const a = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < a.length && this.key(a[l]) < this.key(a[min])) min = l;
      if (r < a.length && this.key(a[r]) < this.key(a[min])) min = r;
      if (min === i) return;
      [a[min], a[i]] = [a[i], a[min]];
      i = min;
    }
  }
}
