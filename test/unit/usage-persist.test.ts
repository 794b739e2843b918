// Mapping uses across a helper restart (usage.ts, statestore.ts): each
// change reaches the journal, a restarted helper holds again the mappings of
// processes that still run with the same start time, and the state files
// stay versioned and checked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { AddressMapper } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import { parseFile, STATE_FORMAT } from '../../src/helper/stateformat.js';
import { JOURNAL_FILE, SNAPSHOT_FILE, StateStore } from '../../src/helper/statestore.js';
import { applyState, savedUses } from '../../src/helper/restore.js';
import { UsageTracker, type UseRecord } from '../../src/helper/usage.js';
import { sha256Line } from '../support/old-state.js';

const MIN = 60_000;
const QUARANTINE = 5 * MIN;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const clock = { now: 1_700_000_000_000 };

/** A helper as startHelper opens one: mapper, store and usage tracker over `dir`, with these processes running. */
async function open(dir: string, running: Map<number, string>) {
  const lines: string[] = [];
  const log = createLogger('info', 'test', (l) => lines.push(l));
  const store = new StateStore(dir, log);
  const pool = new Pool('10.0.0.0/29', () => ({ addresses: [], routes: [] })); // 10.0.0.1-6
  const mapper = new AddressMapper(pool, { idleTimeoutMs: MIN, quarantineMs: QUARANTINE, onRecord: (e) => store.append(e), now: () => clock.now });
  const state = store.recover();
  applyState(mapper, state, QUARANTINE, clock.now, log);
  const usage = new UsageTracker(() => mapper, { startTime: (pid) => running.get(pid) }, () => {}, (records) => store.appendUses(records));
  const restored = usage.restore(savedUses(state));
  store.keepUses(() => usage.records());
  await store.compact(mapper);
  return { store, mapper, usage, restored, lines };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-uses-'));
  dirs.push(dir);
  return dir;
}

/** Everything after a kill -9: the journal as written, nothing closed. */
const crash = (usage: UsageTracker) => usage.flush();

describe('mapping uses across a helper restart', () => {
  it('hold a live process\'s mapping after a crash, through idle timeout, quarantine and a full pool', async () => {
    const dir = tempDir();
    const running = new Map([[100, 'boot/111'], [200, 'boot/222']]);
    const first = await open(dir, running);
    const held = first.mapper.mapV6('2001:db8::1')!;
    const dead = first.mapper.mapV6('2001:db8::2')!;
    first.usage.use(100, [held.v4]);
    first.usage.use(200, [dead.v4]);
    await first.store.flush();
    crash(first.usage);
    await first.store.flush();

    running.delete(200); // it ended while no helper ran
    const second = await open(dir, running);
    expect(second.restored).toBe(1);
    expect(second.mapper.lookupV4(held.v4)?.inUse).toBe(1);
    expect(second.mapper.lookupV4(dead.v4)?.inUse).toBe(0);
    clock.now += 60 * MIN;
    for (let i = 3; i <= 9; i++) expect(second.mapper.mapV6(`2001:db8::${i}`)?.v4).not.toBe(held.v4);
    expect(second.mapper.lookupV4(held.v4)?.v6).toBe('2001:db8::1');
    // The released use is saved too: a third helper finds the mapping free.
    second.usage.release(100, [held.v4]);
    crash(second.usage);
    await second.store.flush();
    const third = await open(dir, running);
    expect(third.restored).toBe(0);
    expect(third.mapper.lookupV4(held.v4)?.inUse ?? 0).toBe(0);
  });

  it('does not take back a use of a pid that now belongs to another process', async () => {
    const dir = tempDir();
    const running = new Map([[100, 'boot/111']]);
    const first = await open(dir, running);
    const e = first.mapper.mapV6('2001:db8::1')!;
    first.usage.use(100, [e.v4]);
    crash(first.usage);
    await first.store.flush();
    running.set(100, 'boot/999'); // pid reused
    const second = await open(dir, running);
    expect(second.restored).toBe(0);
    expect(second.mapper.lookupV4(e.v4)?.inUse).toBe(0);
  });

  it('keeps the uses in the snapshot it writes at start-up and at compaction', async () => {
    const dir = tempDir();
    const running = new Map([[100, 'boot/111']]);
    const first = await open(dir, running);
    const e = first.mapper.mapV6('2001:db8::1')!;
    first.usage.use(100, [e.v4]);
    crash(first.usage);
    await first.store.flush();
    const second = await open(dir, running); // folds the journal into a snapshot
    const snapshot = parseFile(fs.readFileSync(path.join(dir, SNAPSHOT_FILE), 'utf8'));
    expect(snapshot.corrupt).toBe(0);
    expect(snapshot.header?.format).toBe(STATE_FORMAT);
    expect(snapshot.records).toContainEqual({ t: 'uses', pid: 100, start: 'boot/111', v4: e.v4, n: 1 });
    await second.store.flush();
    const third = await open(dir, running); // and again from that snapshot alone
    expect(third.mapper.lookupV4(e.v4)?.inUse).toBe(1);
  });

  it('writes nothing for a use that starts and ends between two writes', async () => {
    const dir = tempDir();
    const running = new Map([[100, 'boot/111']]);
    const first = await open(dir, running);
    const e = first.mapper.mapV6('2001:db8::1')!;
    await first.store.flush();
    const before = fs.readFileSync(path.join(dir, JOURNAL_FILE), 'utf8');
    first.usage.use(100, [e.v4]);
    first.usage.release(100, [e.v4]);
    crash(first.usage);
    await first.store.flush();
    expect(fs.readFileSync(path.join(dir, JOURNAL_FILE), 'utf8')).toBe(before);
  });

  it('reads a format 1 file (no uses), and treats a damaged uses record as damage', async () => {
    const dir = tempDir();
    const entry = { t: 'entry', kind: 3, v4: '10.0.0.1', v6: '2001:db8::1', ttl: 60, lastUsed: clock.now, cachedUntil: clock.now } as const;
    fs.writeFileSync(path.join(dir, SNAPSHOT_FILE), sha256Line({ t: 'header', format: 1, gen: 1 }) + sha256Line(entry));
    const bad: UseRecord & { t: 'uses' } = { t: 'uses', pid: 100, start: 'boot/111', v4: '10.0.0.1', n: -1 };
    fs.writeFileSync(path.join(dir, JOURNAL_FILE), sha256Line({ t: 'header', format: 2, gen: 1 }) + sha256Line(bad));
    const helper = await open(dir, new Map([[100, 'boot/111']]));
    expect(helper.mapper.lookupV4('10.0.0.1')?.v6).toBe('2001:db8::1');
    expect(helper.mapper.lookupV4('10.0.0.1')?.inUse).toBe(0);
    expect(helper.lines.join('\n')).toMatch(/mappings\.journal is damaged \(1 bad line/);
    expect(helper.mapper.mapV6('2001:db8::2')).toBeUndefined(); // the embargo: any address may be in use
  });
});
