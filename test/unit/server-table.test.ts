// The helper's side of USE/RELEASE, TABLE, quotas, pool scope and the
// state directory lock, over its real socket.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../../src/client.js';
import type { Helper, HelperOptions } from '../../src/helper/server.js';
import { ipv6OnlyNet, startHelperIn } from '../support/helper-in-dir.js';
import { StateInUseError } from '../../src/helper/statestore.js';
import { MsgType, Status, type Reply } from '../../src/wire/messages.js';
import { encodeRequest } from '../../src/wire/requests.js';

const netSources = ipv6OnlyNet;
const root = path.join(import.meta.dirname, '..', '..');
// Another process (async: the helper under test runs in this one).
const runScript = async (script: string, arg: string) => (await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, arg], { encoding: 'utf8' })).stdout;

const dirs: string[] = [];
const helpers: Helper[] = [];
afterEach(async () => {
  await Promise.all(helpers.splice(0).map((h) => h.close()));
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-tbl-'));
  dirs.push(dir);
  return dir;
}

async function start(options: HelperOptions = {}): Promise<Helper> {
  const dir = tempDir();
  const helper = await startHelperIn(dir, { dns: () => ({ query: async () => ({ kind: 'nxdomain' }), cancel() {} }), netSources, ...options });
  helpers.push(helper);
  return helper;
}

const map6 = async (h: Helper, v6: string): Promise<Reply> => request(h.socketPath, { type: MsgType.Map6, id: 1, v6 });

// A notification: one frame on its own connection, no reply, as the preload sends it.
function notify(h: Helper, type: MsgType.Use | MsgType.Release, v4s: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(h.socketPath, () => sock.end(encodeRequest({ type, id: 0, v4s })));
    sock.on('error', reject);
    sock.on('data', () => reject(new Error('a notification got a reply')));
    sock.on('close', () => resolve());
  });
}

async function table(h: Helper, offset = 0) {
  const reply = await request(h.socketPath, { type: MsgType.Table, id: 9, offset });
  if (!('table' in reply)) throw new Error(`TABLE: ${Status[reply.status]}`);
  return reply.table;
}

describe('USE and RELEASE', () => {
  it('hold a mapping without a reply, and the table shows it', async () => {
    const h = await start();
    const entry = ((await map6(h, '2001:db8::1')) as { entry: { v4: string } }).entry;
    await notify(h, MsgType.Use, [entry.v4, entry.v4]);
    await expect.poll(() => h.mapper.lookupV4(entry.v4)?.inUse).toBe(2);
    await notify(h, MsgType.Release, [entry.v4]);
    await expect.poll(async () => (await table(h)).rows[0]).toMatchObject({ v4: entry.v4, v6: '2001:db8::1', inUse: 1, name: '' });
  });

  it('are dropped with a process that ends without releasing', async () => {
    const h = await start({ sweepIntervalMs: 50 });
    const entry = ((await map6(h, '2001:db8::2')) as { entry: { v4: string } }).entry;
    // Another process announces a use and exits without a release.
    const script = `import { encodeRequest } from '${root}/dist/wire/requests.js';
      import net from 'node:net';
      const s = net.connect(process.argv[1], () => s.end(encodeRequest({ type: 6, id: 0, v4s: ['${entry.v4}'] })));
      s.on('close', () => process.exit(0));`;
    await runScript(script, h.socketPath);
    await expect.poll(() => h.mapper.lookupV4(entry.v4)?.inUse, { timeout: 3000 }).toBe(0);
  });
});

describe('TABLE', () => {
  it('pages through a table bigger than one frame, with the pool figures', async () => {
    const h = await start({ pool: '198.18.0.0/24' });
    for (let i = 1; i <= 150; i++) await map6(h, `2001:db8::${i.toString(16)}`);
    const first = await table(h);
    expect(first).toMatchObject({ poolSize: 254, poolUsed: 150, poolQuarantined: 0, total: 150 });
    expect(first.rows.length).toBeLessThan(150);
    expect(first.next).toBe(first.rows.length);
    const rows = [...first.rows];
    for (let next = first.next; next < 150; ) {
      const page = await table(h, next);
      rows.push(...page.rows);
      next = page.next;
    }
    expect(new Set(rows.map((r) => r.v4)).size).toBe(150);
    expect((await table(h, 1000)).rows).toEqual([]);
  });
});

describe('quotas', () => {
  it('answer QUOTA to a process over its quota', async () => {
    const h = await start({ quotas: { perProcess: 2 } });
    expect((await map6(h, '2001:db8::1')).status).toBe(Status.Ok);
    expect((await map6(h, '2001:db8::2')).status).toBe(Status.Ok);
    expect((await map6(h, '2001:db8::3')).status).toBe(Status.Quota);
    expect((await map6(h, '2001:db8::1')).status).toBe(Status.Ok); // an existing mapping is free
  });
});

describe('pool scope', () => {
  it('process: each process has a table of its own', async () => {
    const h = await start({ scope: 'process' });
    const own = await map6(h, '2001:db8::1');
    expect(own).toMatchObject({ status: Status.Ok, entry: { v4: '198.18.0.1' } });
    const script = `import { request } from '${root}/dist/client.js';
      const ask = (req) => request(process.argv[1], req);
      const a = await ask({ type: 4, id: 1, v6: '2001:db8::2' });
      const b = await ask({ type: 3, id: 2, v4: '198.18.0.1' });
      console.log(a.entry.v4, b.entry.v6);`;
    // The same address stands for another peer in the other process.
    expect((await runScript(script, h.socketPath)).trim()).toBe('198.18.0.1 2001:db8::2');
    expect(await request(h.socketPath, { type: MsgType.Map4, id: 3, v4: '198.18.0.1' })).toMatchObject({ entry: { v6: '2001:db8::1' } });
  });
});

describe('the state directory', () => {
  it('belongs to one helper: a second one on another socket is refused, naming the first', async () => {
    const first = await start();
    const stateDir = path.join(path.dirname(path.dirname(first.socketPath)), 'state');
    const err = await start({ stateDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateInUseError);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    await first.close();
    helpers.splice(helpers.indexOf(first), 1);
    await start({ stateDir }); // free again once the first has gone
  });
});
