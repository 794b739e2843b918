// The published table (docs/protocol.md, "The published table"): what the
// mapper publishes and when, the file the helper's writer (native/
// maptable.cc) makes, read back by the preload's reader (preload/core/
// client/maptable.c, through test/c/maptable_lookup.c), and the file's life with
// the helper's.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { AddressMapper, type MappingSink } from '../../src/helper/mapper.js';
import { Pool } from '../../src/helper/pool.js';
import { PublishedTable } from '../../src/helper/published-table.js';
import { v6FromWords } from '../../src/wire/addresses.js';
import { ipv6OnlyNet, startHelperIn } from '../support/helper-in-dir.js';

const MIN = 60_000;
const ROOT = path.join(import.meta.dirname, '..', '..');
const quiet = createLogger('error', 'test', () => {});
const noHost = () => ({ addresses: [], routes: [] });

class RecordingSink implements MappingSink {
  readonly table = new Map<string, { until: number; v6: string }>();
  set(v4: number, until: number, words: Uint32Array, at: number): void {
    this.table.set(`${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`, { until, v6: v6FromWords(words, at) });
  }
  clear(v4: number): void {
    this.table.delete(`${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`);
  }
}

describe('the mapper publishes its pool mappings', () => {
  it('with the time each could expire, forever while held, and none once gone', () => {
    const clock = { now: 1_000_000 };
    const mapper = new AddressMapper(new Pool('10.0.0.0/29', noHost), { idleTimeoutMs: 10 * MIN, quarantineMs: 5 * MIN, poolTtl: 60, now: () => clock.now });
    const before = mapper.mapV6('2001:db8::1')!;
    const sink = new RecordingSink();
    mapper.publishTo(sink);
    expect(sink.table.get(before.v4)).toEqual({ until: clock.now + 10 * MIN, v6: '2001:db8::1' });
    const dns = mapper.mapV6('2001:db8::2', 3600)!;
    expect(sink.table.get(dns.v4)?.until, 'a DNS ttl longer than the idle timeout').toBe(clock.now + 3600_000);
    mapper.hold(before.v4);
    expect(sink.table.get(before.v4)?.until).toBe(Infinity);
    clock.now += 20 * MIN;
    mapper.unhold(before.v4);
    expect(sink.table.get(before.v4)?.until, 'idle from its release').toBe(clock.now + 10 * MIN);
    mapper.recordPair('192.0.2.7', '2001:db8::7', 300);
    expect(sink.table.has('192.0.2.7'), 'a real IPv4 address is not the pool').toBe(false);
    clock.now += 11 * MIN;
    mapper.sweep();
    expect(sink.table.has(before.v4)).toBe(false);
    expect(sink.table.has(dns.v4), 'still within its DNS ttl').toBe(true);
    expect([...sink.table.keys()]).toEqual([dns.v4]);
    expect(mapper.lookupV4(before.v4)).toBeUndefined();
  });
});

describe('the published table file', () => {
  let dir: string;
  let lookup: string;
  beforeAll(() => {
    lookup = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bia-maptable-')), 'lookup');
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-I', path.join(ROOT, 'preload', 'include'), '-I', path.join(ROOT, 'preload', 'core'), path.join(ROOT, 'test', 'c', 'maptable_lookup.c'), '-o', lookup]);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const read = (socket: string, ...v4: string[]) => execFileSync(lookup, [socket, ...v4], { encoding: 'utf8' }).trim().split('\n');

  it("is what the preload's reader reads: mapped, held, expired and cleared records", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-maptable-'));
    const socket = path.join(dir, 'helper.sock');
    const pool = new Pool('198.18.0.0/29', noHost);
    const published = PublishedTable.open(socket, pool, quiet)!;
    expect(published).toBeDefined();
    // The reader compares with the wall clock: the mapper's clock is set
    // so that one mapping is already past its time.
    const clock = { now: Date.now() };
    const mapper = new AddressMapper(pool, { idleTimeoutMs: 10 * MIN, quarantineMs: 5 * MIN, poolTtl: 60, now: () => clock.now });
    mapper.publishTo(published);
    const live = mapper.mapV6('2001:db8:1::2')!;
    const held = mapper.mapV6('2001:db8:1::3')!;
    mapper.hold(held.v4);
    clock.now -= 20 * MIN;
    const stale = mapper.mapV6('2001:db8:1::4')!;
    expect(read(socket, live.v4, held.v4, stale.v4, '198.18.0.7', '198.18.1.1')).toEqual([
      `${live.v4} 2001:db8:1::2`,
      `${held.v4} 2001:db8:1::3`,
      `${stale.v4} -`,
      '198.18.0.7 -',
      '198.18.1.1 -',
    ]);
    const bytes = fs.readFileSync(`${socket}.map`);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('bia-map\0');
    expect([1, 128, 24, pool.base, 8, process.pid, 0].map((_, i) => bytes.readUInt32LE(8 + 4 * i))).toEqual([1, 128, 24, pool.base, 8, process.pid, 0]);
    expect(bytes.length).toBe(128 + 8 * 24);
    const heldRecord = 128 + 24 * Number(held.v4.split('.')[3]);
    expect(bytes.readUInt32LE(heldRecord + 4), 'a held record never runs out').toBe(0xffffffff);
    expect(bytes.readUInt32LE(heldRecord) % 2, 'no write left half done').toBe(0);
    const fd = fs.openSync(`${socket}.map`, 'r');
    published.retire();
    expect(fs.existsSync(`${socket}.map`)).toBe(false);
    const header = Buffer.alloc(64);
    fs.readSync(fd, header, 0, 64, 0);
    fs.closeSync(fd);
    expect(header.readUInt32LE(32), 'readers still mapping it are told').toBe(1);
  });

  it('is made by a private helper next to its socket, replaces a crashed one, and goes with the helper', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-maptable-'));
    const socket = path.join(dir, 'run', 'helper.sock');
    fs.mkdirSync(path.dirname(socket), { mode: 0o700 });
    PublishedTable.open(socket, new Pool('198.18.0.0/15', noHost), quiet);
    const fd = fs.openSync(`${socket}.map`, 'r');
    const helper = await startHelperIn(dir, { netSources: ipv6OnlyNet, network: 'ipv6-only' });
    try {
      const header = Buffer.alloc(64);
      fs.readSync(fd, header, 0, 64, 0);
      expect(header.readUInt32LE(32), "the crashed helper's table is retired").toBe(1);
      const entry = helper.mapper.mapV6('2001:db8:1::2')!;
      expect(read(socket, entry.v4)).toEqual([`${entry.v4} 2001:db8:1::2`]);
      expect(read(socket, 'hello'), 'what HELLO would answer: IPv6-only (2), the pool, v4-mapped synthesis').toEqual(['hello network 2 pool 198.18.0.0/15 synth 1 ::ffff:0.0.0.0/96']);
      expect(fs.statSync(`${socket}.map`).mode & 0o777).toBe(0o600);
    } finally {
      fs.closeSync(fd);
      await helper.close();
    }
    expect(fs.existsSync(`${socket}.map`), 'removed when the helper stops').toBe(false);
    expect(read(socket, '198.18.0.1', 'hello')).toEqual(['198.18.0.1 -', 'hello -']);
  });
});
