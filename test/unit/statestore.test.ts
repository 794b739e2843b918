import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { AddressMapper } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import zlib from 'node:zlib';
import { encodeLine, parseFile, STATE_FORMAT, tableCrc32 } from '../../src/helper/stateformat.js';
import { JOURNAL_FILE, SNAPSHOT_FILE, StateStore } from '../../src/helper/statestore.js';
import { applyState } from '../../src/helper/restore.js';
import { Synthesizer } from '../../src/helper/synth.js';
import { Kind, Status } from '../../src/wire/messages.js';
import { sha256Line } from '../support/old-state.js';

const MIN = 60_000;
const QUARANTINE = 5 * MIN;
const dirs: string[] = [];

afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-state-'));
  dirs.push(dir);
  return dir;
}

const clock = { now: 1_700_000_000_000 };

/** A helper's mapper and store as startHelper opens them; `lines` collects the log. */
async function open(dir: string, cidr = '10.0.0.0/29', idleTimeoutMs = 10 * MIN) {
  const lines: string[] = [];
  const log = createLogger('info', 'test', (l) => lines.push(l));
  const store = new StateStore(dir, log);
  const pool = new Pool(cidr, () => ({ addresses: [], routes: [] }));
  const mapper = new AddressMapper(pool, { idleTimeoutMs, quarantineMs: QUARANTINE, onRecord: (e) => store.append(e), canAllocate: () => store.accepting, now: () => clock.now });
  applyState(mapper, store.recover(), QUARANTINE, clock.now, log);
  await store.compact(mapper);
  return { store, mapper, pool, lines };
}

const journal = (dir: string) => path.join(dir, JOURNAL_FILE);

describe('state file format', () => {
  it('checksums every line and tells a torn last line from a damaged one', () => {
    const header = encodeLine({ t: 'header', format: STATE_FORMAT, gen: 1 });
    const rec = encodeLine({ t: 'embargo', until: 5 });
    expect(parseFile(header + rec)).toMatchObject({ header: { gen: 1 }, records: [{ t: 'embargo', until: 5 }], truncated: false, corrupt: 0 });
    expect(parseFile(header + rec.slice(0, 10))).toMatchObject({ records: [], truncated: true, corrupt: 0 });
    const flipped = rec.replace('5', '6');
    expect(parseFile(header + flipped + rec)).toMatchObject({ records: [{ until: 5 }], corrupt: 1, problems: ['line 2: checksum mismatch'] });
  });

  it('rejects records that are well formed but not something the mapper can take', () => {
    const header = encodeLine({ t: 'header', format: STATE_FORMAT, gen: 1 });
    const bad = encodeLine({ t: 'quarantine', v4: 'not-an-address', until: 1 } as never);
    expect(parseFile(header + bad)).toMatchObject({ records: [], corrupt: 1 });
  });

  it('checks each line by CRC-32, and by SHA-256 in the files of formats 1 and 2', () => {
    const rec = { t: 'embargo', until: 5 } as const;
    const json = JSON.stringify(rec);
    expect(encodeLine(rec)).toBe(`${zlib.crc32(json).toString(16).padStart(8, '0')} ${json}\n`);
    expect(parseFile(sha256Line({ t: 'header', format: 2, gen: 1 }) + sha256Line(rec))).toMatchObject({ header: { format: 2 }, records: [rec], corrupt: 0 });
    // Each format its own checksum: a line checked the other way is damage.
    expect(parseFile(sha256Line({ t: 'header', format: 2, gen: 1 }) + encodeLine(rec))).toMatchObject({ records: [], corrupt: 1, problems: ['line 2: checksum mismatch'] });
    expect(parseFile(encodeLine({ t: 'header', format: STATE_FORMAT, gen: 1 }) + sha256Line(rec))).toMatchObject({ records: [], corrupt: 1 });
  });

  it('computes CRC-32 as zlib does where Node has no zlib.crc32', () => {
    for (const text of ['', 'a', '{"t":"embargo","until":5}', 'name.\u00e9\u4e2d']) expect(tableCrc32(text) >>> 0).toBe(zlib.crc32(text));
  });

  it('does not read a format it does not know', () => {
    const header = encodeLine({ t: 'header', format: STATE_FORMAT + 1, gen: 1 });
    expect(parseFile(header)).toMatchObject({ header: undefined, corrupt: 1 });
  });
});

describe('StateStore', () => {
  it('brings back the mappings a helper of state format 2 saved, and saves them in the current format', async () => {
    const dir = tempDir();
    const entry = { t: 'entry', kind: Kind.Pool, v4: '10.0.0.1', v6: '2001:db8::1', ttl: 60, lastUsed: clock.now, cachedUntil: clock.now } as const;
    fs.writeFileSync(path.join(dir, SNAPSHOT_FILE), sha256Line({ t: 'header', format: 2, gen: 1 }) + sha256Line(entry));
    fs.writeFileSync(journal(dir), sha256Line({ t: 'header', format: 2, gen: 1 }) + sha256Line({ ...entry, v4: '10.0.0.2', v6: '2001:db8::2' }));
    const { store, mapper, lines } = await open(dir);
    expect(mapper.lookupV4('10.0.0.1')?.v6).toBe('2001:db8::1');
    expect(mapper.lookupV4('10.0.0.2')?.v6).toBe('2001:db8::2');
    expect(lines.join('\n')).not.toMatch(/damaged/);
    expect(parseFile(fs.readFileSync(path.join(dir, SNAPSHOT_FILE), 'utf8'))).toMatchObject({ header: { format: STATE_FORMAT }, corrupt: 0, sealed: true });
    await store.close();
  });

  it('brings back every mapping and quarantined address after a restart', async () => {
    const dir = tempDir();
    // An idle timeout shorter than the quarantine, so an expired address waits.
    const first = await open(dir, '10.0.0.0/29', 2 * MIN);
    const a = first.mapper.mapV6('2001:db8::a')!;
    const b = first.mapper.mapV6('2001:db8::b')!;
    const pair = first.mapper.recordPair('192.0.2.1', '2001:db8::c', 300);
    clock.now += 1.5 * MIN;
    first.mapper.lookupV4(a.v4);
    first.mapper.lookupV4(pair.v4);
    clock.now += 1.5 * MIN;
    expect(first.mapper.lookupV4(b.v4)).toBeUndefined(); // expired: b's address goes into quarantine
    await first.store.compact(first.mapper);
    await first.store.close();

    const second = await open(dir, '10.0.0.0/29', 2 * MIN);
    expect(second.mapper.lookupV4(a.v4)).toMatchObject({ kind: Kind.Pool, v6: '2001:db8::a' });
    expect(second.mapper.lookupV4(pair.v4)).toMatchObject({ kind: Kind.Paired, v6: '2001:db8::c' });
    expect(second.mapper.lookupV4(b.v4)).toBeUndefined();
    const handedOut = [1, 2, 3, 4].map((i) => second.mapper.mapV6(`2001:db8::1:${i}`)?.v4);
    expect(handedOut).not.toContain(a.v4);
    expect(handedOut).not.toContain(b.v4); // still in quarantine after the restart
    await second.store.close();
  });

  it('keeps the name a mapping was made for, and a later rename, across a restart', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const a = first.mapper.mapV6('2001:db8::a', 0, 'old.example')!;
    first.mapper.mapV6('2001:db8::a', 0, 'new.example');
    first.mapper.recordPair('192.0.2.1', '2001:db8::c', 300, 'pair.example');
    await first.store.flush();
    const second = await open(dir);
    expect(second.mapper.lookupV4(a.v4)?.name).toBe('new.example');
    expect(second.mapper.lookupV4('192.0.2.1')?.name).toBe('pair.example');
    await Promise.all([first.store.close(), second.store.close()]);
  });

  it('loses no flushed mapping when the helper dies without closing (kill -9)', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const entries = [1, 2, 3].map((i) => first.mapper.mapV6(`2001:db8::${i}`)!);
    await first.store.flush(); // what the server awaits before replying; no close, no compaction

    const second = await open(dir);
    for (const e of entries) expect(second.mapper.lookupV4(e.v4)?.v6).toBe(e.v6);
    expect(second.mapper.mapV6('2001:db8::4')?.v4).not.toBe(entries[0].v4);
    expect(second.lines.join('\n')).not.toMatch(/damaged/);
    await second.store.close();
  });

  it('keeps a restored mapping at least one quarantine: unrecorded answers may have promised that long', async () => {
    const dir = tempDir();
    const first = await open(dir, '10.0.0.0/29', MIN);
    const a = first.mapper.mapV6('2001:db8::a')!;
    await first.store.flush();

    const second = await open(dir, '10.0.0.0/29', MIN);
    clock.now += QUARANTINE - 1;
    expect(second.mapper.lookupV4(a.v4)?.v6).toBe('2001:db8::a');
    await second.store.close();
  });

  it('shares one write and one fsync among mappings that arrive together', async () => {
    const dir = tempDir();
    const { store, mapper } = await open(dir, '10.0.0.0/24');
    const size = () => fs.statSync(journal(dir)).size;
    const before = size();
    const flushes = [1, 2, 3].map((i) => {
      mapper.mapV6(`2001:db8::${i}`);
      return store.flush();
    });
    expect(new Set(flushes).size).toBe(1); // one write, queued until the current tick ends
    await Promise.all(flushes);
    expect(size()).toBeGreaterThan(before);
    await store.close();
  });

  it('drops a record cut short by a crash and keeps the rest, without quarantining the pool', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const a = first.mapper.mapV6('2001:db8::a')!;
    await first.store.flush();
    fs.appendFileSync(journal(dir), encodeLine({ t: 'embargo', until: clock.now + 99 * MIN }).slice(0, 20));

    const second = await open(dir);
    expect(second.mapper.lookupV4(a.v4)?.v6).toBe('2001:db8::a');
    expect(second.lines.join('\n')).toMatch(/dropped an incomplete last record/);
    expect(second.mapper.mapV6('2001:db8::b')).toBeDefined();
    await second.store.close();
  });

  it('moves a damaged file aside, keeps its good records and hands out no pool address for a quarantine', async () => {
    const dir = tempDir();
    const first = await open(dir);
    const a = first.mapper.mapV6('2001:db8::a')!;
    first.mapper.mapV6('2001:db8::b');
    first.mapper.mapV6('2001:db8::c');
    await first.store.flush();
    // Damage the middle record: which address it held is unknown now.
    const lines = fs.readFileSync(journal(dir), 'utf8').split('\n');
    lines[2] = lines[2].replace('2001:db8::b', '2001:db8::f');
    fs.writeFileSync(journal(dir), lines.join('\n'));

    const second = await open(dir);
    expect(second.lines.join('\n')).toMatch(/mappings\.journal is damaged \(1 bad line\(s\): line 3: checksum mismatch\); moved to .*corrupt-/);
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${JOURNAL_FILE}.corrupt-`))).toBe(true);
    expect(second.mapper.lookupV4(a.v4)?.v6).toBe('2001:db8::a');
    expect(second.mapper.lookupV4('10.0.0.3')?.v6).toBe('2001:db8::c');
    expect(second.mapper.mapV6('2001:db8::d')).toBeUndefined();
    await second.store.close();

    // The embargo itself survives another restart.
    const third = await open(dir);
    expect(third.mapper.mapV6('2001:db8::d')).toBeUndefined();
    clock.now += QUARANTINE;
    expect(third.mapper.mapV6('2001:db8::d')?.v4).toBe('10.0.0.2'); // the lost record's address is free again
    await third.store.close();
  });

  it('treats a snapshot that is empty, cut short or without its trailer as damage, and embargoes the pool', async () => {
    const cuts: Record<string, (text: string) => string> = {
      'the file is empty': () => '',
      'the last line is cut short': (text) => text.slice(0, text.length - 30),
      'it ends without its trailer': (text) => text.split('\n').slice(0, 3).join('\n') + '\n',
    };
    for (const [why, cut] of Object.entries(cuts)) {
      const dir = tempDir();
      const first = await open(dir);
      for (const peer of ['a', 'b', 'c', 'd']) first.mapper.mapV6(`2001:db8::${peer}`);
      await first.store.compact(first.mapper);
      await first.store.close();
      const snapshot = path.join(dir, SNAPSHOT_FILE);
      expect(parseFile(fs.readFileSync(snapshot, 'utf8'))).toMatchObject({ sealed: true, corrupt: 0 });
      fs.writeFileSync(snapshot, cut(fs.readFileSync(snapshot, 'utf8')));

      const second = await open(dir);
      expect(second.lines.join('\n'), why).toContain(`mappings.snapshot is damaged (1 bad line(s): ${why}`);
      expect(second.mapper.mapV6('2001:db8::e'), why).toBeUndefined();
      await second.store.close();
    }
  });

  it('removes the files a compaction killed half-way left', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, `${SNAPSHOT_FILE}.tmp`), encodeLine({ t: 'header', format: STATE_FORMAT, gen: 9 }));
    fs.writeFileSync(path.join(dir, `${JOURNAL_FILE}.tmp`), '');
    const { store, lines } = await open(dir);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(lines.join('\n')).toMatch(/removed .*mappings\.snapshot\.tmp, left by a compaction that did not finish/);
    await store.close();
  });

  it('cuts a journal write that the disk cut short back, refuses new mappings meanwhile, and writes them once there is room', async () => {
    const dir = tempDir();
    const { store, mapper, lines } = await open(dir, '10.0.0.0/29');
    mapper.mapV6('2001:db8::a');
    await store.flush();
    const whole = fs.statSync(journal(dir)).size;
    // The next write stops half-way, as on a full disk, then fails.
    const real = fs.writeSync;
    let calls = 0;
    fs.writeSync = ((fd: number, buf: Buffer, offset = 0) => {
      if (++calls === 1) return real(fd, buf, offset, 10);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }) as typeof fs.writeSync;
    try {
      const b = mapper.mapV6('2001:db8::b')!;
      store.flushNow();
      expect(fs.statSync(journal(dir)).size).toBe(whole);
      expect(store.accepting).toBe(false);
      expect(store.unsavedAddress(b.v4)).toBe(true);
      expect(mapper.request('2001:db8::c', {})).toBe(Status.TryAgain);
      store.flushNow();
    } finally {
      fs.writeSync = real;
    }
    expect(lines.filter((l) => /cannot write/.test(l))).toHaveLength(1); // once, not per try
    store.flushNow(); // the next request's write, or the retry timer's
    expect(store.accepting).toBe(true);
    expect(lines.filter((l) => /can be written again/.test(l))).toHaveLength(1);
    expect(parseFile(fs.readFileSync(journal(dir), 'utf8'))).toMatchObject({ truncated: false, corrupt: 0 });
    expect(mapper.request('2001:db8::c', {})).toMatchObject({ v4: expect.any(String) });
    await store.close();
  });

  it('ignores a journal that was already folded into the snapshot (a crash between the two renames)', async () => {
    const dir = tempDir();
    const first = await open(dir);
    first.mapper.mapV6('2001:db8::a');
    await first.store.flush();
    const oldJournal = fs.readFileSync(journal(dir));
    await first.store.compact(first.mapper);
    clock.now += 11 * MIN;
    first.mapper.sweep(); // a's address waits in quarantine
    first.mapper.recordPair('10.0.0.1', '2001:db8::9', 60); // and then a DNS answer claims it
    await first.store.compact(first.mapper);
    fs.writeFileSync(journal(dir), oldJournal); // as if the journal rename had not happened

    const second = await open(dir);
    expect(second.mapper.lookupV4('10.0.0.1')).toMatchObject({ kind: Kind.Paired, v6: '2001:db8::9' });
    expect(second.lines.join('\n')).not.toMatch(/damaged/);
    await second.store.close();
  });

  it('appends nothing to a journal recovery would skip when the compaction at start-up fails', async () => {
    const dir = tempDir();
    const first = await open(dir);
    first.mapper.mapV6('2001:db8::a');
    await first.store.flush();
    const oldJournal = fs.readFileSync(journal(dir));
    await first.store.compact(first.mapper);
    await first.store.close();
    fs.writeFileSync(journal(dir), oldJournal); // stale: folded into the snapshot
    fs.mkdirSync(path.join(dir, `${SNAPSHOT_FILE}.tmp`)); // the next compaction cannot write its snapshot

    const second = await open(dir);
    expect(second.lines.join('\n')).toMatch(/cannot compact/);
    const b = second.mapper.mapV6('2001:db8::b')!;
    await second.store.flush();
    await second.store.close();
    fs.rmdirSync(path.join(dir, `${SNAPSHOT_FILE}.tmp`));

    const third = await open(dir);
    expect(third.mapper.lookupV4(b.v4)?.v6).toBe('2001:db8::b');
    await third.store.close();
  });

  it('cuts off a torn last line before appending after it when the compaction at start-up fails', async () => {
    const dir = tempDir();
    const first = await open(dir);
    first.mapper.mapV6('2001:db8::a');
    await first.store.close();
    fs.appendFileSync(journal(dir), encodeLine({ t: 'embargo', until: clock.now + 99 * MIN }).slice(0, 20));
    fs.mkdirSync(path.join(dir, `${SNAPSHOT_FILE}.tmp`));

    const second = await open(dir);
    const b = second.mapper.mapV6('2001:db8::b')!;
    await second.store.flush();
    await second.store.close();
    fs.rmdirSync(path.join(dir, `${SNAPSHOT_FILE}.tmp`));
    expect(parseFile(fs.readFileSync(journal(dir), 'utf8'))).toMatchObject({ corrupt: 0, truncated: false });

    const third = await open(dir);
    expect(third.lines.join('\n')).not.toMatch(/damaged/);
    expect(third.mapper.lookupV4(b.v4)?.v6).toBe('2001:db8::b');
    await third.store.close();
  });

  it('drops saved pool mappings that a changed pool setting no longer covers, and says so', async () => {
    const dir = tempDir();
    const first = await open(dir, '10.0.0.0/29');
    first.mapper.mapV6('2001:db8::a');
    first.mapper.recordPair('192.0.2.1', '2001:db8::b', 60);
    await first.store.close();

    const second = await open(dir, '10.9.0.0/29');
    expect(second.mapper.has('10.0.0.1')).toBe(false);
    expect(second.mapper.has('192.0.2.1')).toBe(true);
    expect(second.lines.join('\n')).toMatch(/dropped 1 saved mapping\(s\) outside the pool 10\.9\.0\.0\/29/);
    await second.store.close();
  });

  it('folds a long journal into the snapshot when the sweep finds it due', async () => {
    const dir = tempDir();
    const { store, mapper } = await open(dir, '10.0.0.0/16');
    for (let i = 1; i <= 999; i++) mapper.mapV6(`2001:db8::${i.toString(16)}`);
    await store.flush();
    const header = fs.readFileSync(journal(dir), 'utf8').split('\n')[0];
    await store.compactIfDue(mapper);
    expect(fs.readFileSync(journal(dir), 'utf8').split('\n')).toHaveLength(1001); // not yet
    mapper.mapV6('2001:db8::ffff');
    await store.compactIfDue(mapper);
    expect(fs.readFileSync(journal(dir), 'utf8')).toMatch(new RegExp(`^[0-9a-f]{8} \\{"t":"header","format":${STATE_FORMAT},"gen":\\d+\\}\n$`));
    expect(fs.readFileSync(journal(dir), 'utf8')).not.toBe(`${header}\n`); // a new generation
    expect(fs.readFileSync(path.join(dir, SNAPSHOT_FILE), 'utf8').split('\n')).toHaveLength(1003); // a header, 1000 records, a trailer
    await store.close();
  });

  it('keeps its files private', async () => {
    const dir = tempDir();
    const { store } = await open(path.join(dir, 'bia'));
    expect(fs.statSync(path.join(dir, 'bia')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'bia', SNAPSHOT_FILE)).mode & 0o777).toBe(0o600);
    await store.close();
  });
});

describe('StateStore and pool-format synthesized addresses', () => {
  /** A helper's store and synthesizer as startHelper opens them. */
  async function openSynth(dir: string, prefix = 'fd62:6961::/112') {
    const lines: string[] = [];
    const log = createLogger('info', 'test', (l) => lines.push(l));
    const store = new StateStore(dir, log);
    const mapper = new AddressMapper(new Pool('10.0.0.0/29', () => ({ addresses: [], routes: [] })), { quarantineMs: QUARANTINE, onRecord: (e) => store.append(e), now: () => clock.now });
    const synth = new Synthesizer({ format: 'pool', prefix });
    applyState(mapper, store.recover(), QUARANTINE, clock.now, log, synth);
    store.keepSynth(synth);
    await store.compact(mapper);
    return { store, mapper, synth, lines };
  }

  it('keeps them across a kill -9 (journal) and a clean restart (snapshot), and never hands one out again', async () => {
    const dir = tempDir();
    const first = await openSynth(dir);
    expect(first.synth.toV6('192.0.2.1')).toBe('fd62:6961::1');
    expect(first.synth.toV6('192.0.2.2')).toBe('fd62:6961::2');
    await first.store.flush(); // no close: the journal alone must carry them

    const second = await openSynth(dir);
    expect(second.synth.toV4('fd62:6961::2')).toBe('192.0.2.2');
    expect(second.synth.toV6('192.0.2.1')).toBe('fd62:6961::1');
    expect(second.synth.toV6('192.0.2.3')).toBe('fd62:6961::3');
    await second.store.close();

    const third = await openSynth(dir); // from the snapshot the second one compacted
    expect(third.synth.toV4('fd62:6961::3')).toBe('192.0.2.3');
    expect(third.synth.toV6('192.0.2.4')).toBe('fd62:6961::4');
    await third.store.close();
  });

  it('drops them, with a log line, when the pool prefix changed', async () => {
    const dir = tempDir();
    const first = await openSynth(dir);
    first.synth.toV6('192.0.2.1');
    await first.store.close();

    const second = await openSynth(dir, 'fd00:1::/112');
    expect(second.synth.toV4('fd62:6961::1')).toBeUndefined();
    expect(second.synth.toV6('192.0.2.1')).toBe('fd00:1::1');
    expect(second.lines.join('\n')).toMatch(/dropped 1 saved synthesized address/);
    await second.store.close();
  });
});
