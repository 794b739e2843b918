// The helper's log writer (log.ts): the lines of one turn of the event loop
// reach stderr in one write, at the end of the turn or when flushed sooner.
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, flushStderr, heldStderr } from '../../src/log.js';

afterEach(() => vi.restoreAllMocks());

describe('heldStderr', () => {
  it('writes the lines of a turn in one write at its end', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => writes.push(String(text)) > 0);
    const log = createLogger('info', 'test', heldStderr);
    log.info('one');
    log.warn('two');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\S+ test\[\d+\] info: one\n\S+ test\[\d+\] warn: two\n$/);
  });

  it('writes what it holds when flushed sooner, and nothing twice', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => writes.push(String(text)) > 0);
    heldStderr('a\n');
    flushStderr();
    expect(writes).toEqual(['a\n']);
    await turn();
    expect(writes).toEqual(['a\n']);
  });
});
