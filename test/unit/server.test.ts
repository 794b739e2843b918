import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import type { DnsTransport, QueryOutcome } from '../../src/helper/resolver.js';
import { HelperRunningError } from '../../src/helper/listener.js';
import { startHelper, type Helper, type HelperOptions } from '../../src/helper/server.js';
import { ipv6OnlyNet, startHelperIn } from '../support/helper-in-dir.js';
import { FrameReader } from '../../src/wire/frames.js';
import { Kind, MAPPED_SYNTH, MsgType, Status, WireNetwork, type Reply } from '../../src/wire/messages.js';
import { decodeReply } from '../../src/wire/replies.js';
import { encodeRequest } from '../../src/wire/requests.js';
import { prng } from '../support/prng.js';
import { ownUserOnly } from '../../src/helper/admission.js';
import { skipWhen } from '../support/skip.js';

const netSources = ipv6OnlyNet;

// v6only.example answers after `slowMs`, so pipelining can be observed.
let slowMs = 0;
const dns: DnsTransport = () => ({
  async query(name, type): Promise<QueryOutcome> {
    await new Promise((r) => setTimeout(r, slowMs));
    if (name !== 'v6only.example') return { kind: 'nxdomain' };
    return type === 'AAAA' ? { kind: 'ok', records: [{ address: '2001:db8::7', ttl: 300 }] } : { kind: 'nodata' };
  },
  cancel() {},
});

const dirs: string[] = [];
const helpers: Helper[] = [];
afterEach(async () => {
  slowMs = 0;
  await Promise.all(helpers.splice(0).map((h) => h.close()));
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-srv-'));
  dirs.push(dir);
  return dir;
}

async function start(options: HelperOptions = {}): Promise<Helper> {
  const dir = tempDir();
  const helper = await startHelperIn(dir, { dns, netSources, ...options }, `192.0.2.1 ${'x'.repeat(300)} overlong\n`);
  helpers.push(helper);
  return helper;
}

/** A raw protocol client: write any bytes, read decoded replies, see when the helper hangs up. */
class Client {
  private readonly reader = new FrameReader();
  private readonly frames: Buffer[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.frames.push(...this.reader.push(chunk));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  /** Retries EAGAIN: on a loaded machine the listen backlog can be full for
   * a moment while the helper (in this same event loop) catches up. */
  static async connect(socketPath: string, attempts = 50): Promise<Client> {
    for (let left = attempts; ; left--) {
      try {
        return await new Promise((resolve, reject) => {
          const socket = net.connect(socketPath, () => resolve(new Client(socket)));
          socket.once('error', reject);
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || left <= 1) throw err;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }

  private async until(ready: () => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the helper');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async nextFrame(): Promise<Buffer> {
    await this.until(() => this.frames.length > 0 || this.closed);
    const frame = this.frames.shift();
    if (!frame) throw new Error('the helper closed the connection');
    return frame;
  }

  async next(): Promise<Reply> {
    return decodeReply(await this.nextFrame());
  }

  /** True when the helper closed the connection with no reply left unread. */
  async hangsUp(): Promise<boolean> {
    await this.until(() => this.closed);
    return this.frames.length === 0;
  }

  close(): void {
    this.socket.destroy();
  }
}

const hello = (id: number) => encodeRequest({ type: MsgType.Hello, id });
const resolve4 = (id: number, name: string) => encodeRequest({ type: MsgType.Resolve, id, family: 4, name });

describe('startHelper', () => {
  it('creates a private directory and socket and answers HELLO', async () => {
    const helper = await start();
    expect(fs.statSync(path.dirname(helper.socketPath)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(helper.socketPath).mode & 0o777).toBe(0o600);
    const client = await Client.connect(helper.socketPath);
    client.write(hello(7));
    expect(await client.next()).toEqual({
      type: MsgType.Hello,
      id: 7,
      status: Status.Ok,
      hello: { network: WireNetwork.Ipv6Only, pool: '198.18.0.0', poolLen: 15, ttl: 2, synth: MAPPED_SYNTH },
    });
    client.close();
  });

  it('reports a forced network mode and a configured pool', async () => {
    const helper = await start({ network: 'ipv4-only', pool: '10.64.0.0/16' });
    const client = await Client.connect(helper.socketPath);
    client.write(hello(1));
    expect(await client.next()).toMatchObject({ hello: { network: WireNetwork.Ipv4Only, pool: '10.64.0.0', poolLen: 16 } });
    client.close();
  });

  it('resolves, maps both ways, and keeps serving after a refused request', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    client.write(resolve4(1, 'v6only.example'));
    expect(await client.next()).toEqual({
      type: MsgType.Resolve,
      id: 1,
      status: Status.Ok,
      resolve: { canon: 'v6only.example', entries: [{ kind: Kind.Pool, v4: '198.18.0.1', v6: '2001:db8::7', ttl: 300 }] },
    });
    client.write(encodeRequest({ type: MsgType.Map4, id: 2, v4: '198.18.0.1' }));
    expect(await client.next()).toMatchObject({ status: Status.Ok, entry: { kind: Kind.Pool, v6: '2001:db8::7' } });
    client.write(encodeRequest({ type: MsgType.Map6, id: 3, v6: '2001:db8::8' }));
    expect(await client.next()).toMatchObject({ id: 3, status: Status.Ok, entry: { kind: Kind.Pool, v4: '198.18.0.2' } });
    client.write(encodeRequest({ type: MsgType.Map4, id: 4, v4: '198.18.0.99' }));
    expect(await client.next()).toEqual({ type: MsgType.Map4, id: 4, status: Status.NotFound });
    client.write(resolve4(5, 'nowhere.example'));
    expect(await client.next()).toEqual({ type: MsgType.Resolve, id: 5, status: Status.NotFound });
    client.write(hello(7));
    expect(await client.next()).toMatchObject({ id: 7, status: Status.Ok });
    client.close();
  });

  it('serves IPv6 programs: RESOLVE family 6, and MAP6 of a synthesized address without the pool', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    client.write(encodeRequest({ type: MsgType.Resolve, id: 1, family: 6, name: 'v6only.example' }));
    expect(await client.next()).toMatchObject({ status: Status.Ok, resolve: { entries: [{ kind: Kind.Native, v4: '0.0.0.0', v6: '2001:db8::7' }] } });
    client.write(encodeRequest({ type: MsgType.Map6, id: 2, v6: '::ffff:198.51.100.2' }));
    expect(await client.next()).toEqual({
      type: MsgType.Map6,
      id: 2,
      status: Status.Ok,
      entry: { kind: Kind.Synthetic, v4: '198.51.100.2', v6: '::ffff:c633:6402', ttl: 86400 },
    });
    client.close();
  });

  it('pool format: SYNTH allocates, MAP6 answers handed-out addresses and refuses the others without the IPv4 pool', async () => {
    const helper = await start({ synth: { format: 'pool', prefix: 'fd00:5::/126' } });
    const client = await Client.connect(helper.socketPath);
    const synth = (id: number, v4: string) => encodeRequest({ type: MsgType.Synth, id, v4 });
    client.write(synth(1, '198.51.100.2'));
    expect(await client.next()).toEqual({ type: MsgType.Synth, id: 1, status: Status.Ok, entry: { kind: Kind.Synthetic, v4: '198.51.100.2', v6: 'fd00:5::1', ttl: 86400 } });
    client.write(encodeRequest({ type: MsgType.Map6, id: 2, v6: 'fd00:5::1' }));
    expect(await client.next()).toMatchObject({ status: Status.Ok, entry: { kind: Kind.Synthetic, v4: '198.51.100.2' } });
    client.write(encodeRequest({ type: MsgType.Map6, id: 3, v6: 'fd00:5::3' }));
    expect(await client.next()).toEqual({ type: MsgType.Map6, id: 3, status: Status.NotFound });
    client.write(Buffer.concat([synth(4, '198.51.100.3'), synth(5, '198.51.100.4')]));
    expect(await client.next()).toMatchObject({ id: 4, status: Status.Ok, entry: { v6: 'fd00:5::2' } });
    expect(await client.next()).toEqual({ type: MsgType.Synth, id: 5, status: Status.PoolExhausted });
    client.write(hello(6));
    expect(await client.next()).toMatchObject({ hello: { synth: { format: 4, prefix: 'fd00:5::', prefixLen: 126, plane: 0 } } });
    expect(helper.mapper.size).toBe(0); // no IPv4 pool address was made for any of them
    client.close();
  });

  it('answers NAME4 with the name a pool address was made for, NOT_FOUND without one', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    client.write(resolve4(1, 'v6only.example'));
    await client.next();
    client.write(encodeRequest({ type: MsgType.Name4, id: 2, v4: '198.18.0.1' }));
    expect(await client.next()).toEqual({ type: MsgType.Name4, id: 2, status: Status.Ok, name: 'v6only.example' });
    client.write(encodeRequest({ type: MsgType.Map6, id: 3, v6: '2001:db8::8' }));
    await client.next();
    client.write(encodeRequest({ type: MsgType.Name4, id: 4, v4: '198.18.0.2' }));
    expect(await client.next()).toEqual({ type: MsgType.Name4, id: 4, status: Status.NotFound });
    client.write(encodeRequest({ type: MsgType.Name4, id: 5, v4: '192.0.2.99' }));
    expect(await client.next()).toEqual({ type: MsgType.Name4, id: 5, status: Status.NotFound });
    client.close();
  });

  it('answers a reply it cannot encode with INTERNAL and carries on', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    client.write(resolve4(1, 'overlong')); // its canonical name in hosts is longer than the wire allows
    expect(await client.next()).toEqual({ type: MsgType.Resolve, id: 1, status: Status.Internal });
    client.write(hello(2));
    expect(await client.next()).toMatchObject({ id: 2, status: Status.Ok });
    client.close();
  });

  it('answers pipelined requests in request order', async () => {
    slowMs = 50;
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    client.write(Buffer.concat([resolve4(1, 'v6only.example'), hello(2)]));
    expect((await client.next()).id).toBe(1);
    expect((await client.next()).id).toBe(2);
    client.close();
  });

  it('still answers a client that shut down its sending side after its requests', async () => {
    slowMs = 20;
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    client.socket.end(Buffer.concat([resolve4(1, 'v6only.example'), hello(2)]));
    expect((await client.next()).id).toBe(1);
    expect((await client.next()).id).toBe(2);
    expect(await client.hangsUp()).toBe(true);
  });

  it('answers an unknown message type with BAD_REQUEST and hangs up', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    const frame = hello(42);
    frame.writeUInt8(9, 5);
    client.write(Buffer.concat([frame, hello(43)]));
    expect(await client.next()).toEqual({ type: 9, id: 42, status: Status.BadRequest });
    expect(await client.hangsUp()).toBe(true);
  });

  it('answers another protocol version with BAD_VERSION in its own version and hangs up', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    const frame = hello(5);
    frame.writeUInt8(2, 4);
    client.write(frame);
    expect(await client.next()).toEqual({ type: MsgType.Hello, id: 5, status: Status.BadVersion });
    expect(await client.hangsUp()).toBe(true);
  });

  it('hangs up without a reply when the frame length is out of range', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    const frame = Buffer.alloc(12);
    frame.writeUInt32BE(5000, 0);
    client.write(frame);
    expect(await client.hangsUp()).toBe(true);
  });

  it('serves one client while others send garbage', async () => {
    const helper = await start();
    const good = await Client.connect(helper.socketPath);
    const garbage = await Client.connect(helper.socketPath);
    const stalled = await Client.connect(helper.socketPath);
    stalled.write(Buffer.from([0, 0, 0])); // half a length prefix, then nothing
    garbage.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    for (let id = 1; id <= 20; id++) {
      good.write(hello(id));
      expect((await good.next()).id).toBe(id);
    }
    expect(await garbage.hangsUp()).toBe(true);
    expect(stalled.closed).toBe(false);
    good.close();
    stalled.close();
  });

  // Other users are refused (DENIED): 'startHelper and another user' below,
  // and test/unit/shared-helper.test.ts, with real other uids.
  it('serves its own user (SO_PEERCRED), also when told to serve others', async () => {
    for (const options of [{}, { allow: ownUserOnly(process.getuid!() + 1) }]) {
      const helper = await start(options);
      const client = await Client.connect(helper.socketPath);
      client.write(hello(1));
      expect(await client.next()).toMatchObject({ status: Status.Ok });
      client.close();
    }
  });

  it('closes idle connections', async () => {
    const helper = await start({ idleTimeoutMs: 100 });
    const client = await Client.connect(helper.socketPath);
    expect(await client.hangsUp()).toBe(true);
  });

  it('refuses to start twice on one socket, with an error the CLI can recognise, and leaves the saved mappings alone', async () => {
    const stateDir = path.join(tempDir(), 'state');
    const helper = await start({ stateDir });
    const journal = path.join(stateDir, 'mappings.journal');
    const inode = fs.statSync(journal).ino;
    await expect(startHelper({ socketPath: helper.socketPath, stateDir, log: createLogger('error', 'test', () => {}) })).rejects.toBeInstanceOf(HelperRunningError);
    expect(fs.statSync(journal).ino).toBe(inode); // not rewritten under the running helper
    const client = await Client.connect(helper.socketPath);
    client.write(hello(1));
    expect(await client.next()).toMatchObject({ status: Status.Ok });
    client.write(encodeRequest({ type: MsgType.Map6, id: 2, v6: '2001:db8::8' }));
    expect(await client.next()).toMatchObject({ status: Status.Ok });
    expect(fs.readFileSync(journal, 'utf8')).toContain('"v6":"2001:db8::8"');
    client.close();
  });

  it('does not start when the saved mappings cannot be read, and says where they are', async () => {
    const stateDir = path.join(tempDir(), 'state');
    fs.mkdirSync(path.join(stateDir, 'mappings.journal'), { recursive: true }); // a directory: EISDIR
    await expect(start({ stateDir })).rejects.toThrow(/cannot read the saved mappings in .*mappings\.journal/);
  });

  it('replaces a stale socket left by a helper that died', async () => {
    const socketPath = path.join(tempDir(), 'helper.sock');
    const script = `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`;
    spawnSync(process.execPath, ['-e', script]);
    expect(fs.existsSync(socketPath)).toBe(true);
    const helper = await start({ socketPath });
    const client = await Client.connect(helper.socketPath);
    client.write(hello(1));
    expect(await client.next()).toMatchObject({ status: Status.Ok });
    client.close();
  });

  it('lets only one of two helpers racing to replace a stale socket remove it, and that one serves', async () => {
    const dir = tempDir();
    const socketPath = path.join(dir, 'helper.sock');
    const stateDir = path.join(dir, 'state');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    const results = await Promise.allSettled([start({ socketPath, stateDir }), start({ socketPath, stateDir })]);
    const started = results.filter((r) => r.status === 'fulfilled');
    expect(started, JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'started')))).toHaveLength(1);
    // The loser found the winner busy starting (already running), or its saved mappings taken.
    expect(String(results.find((r) => r.status === 'rejected')!.reason)).toMatch(/already running|is using the saved mappings/);
    const client = await Client.connect(socketPath);
    client.write(hello(1));
    expect(await client.next()).toMatchObject({ status: Status.Ok });
    client.close();
  });

  it('refuses a socket directory that others can write to or that belongs to someone else', async () => {
    const open = tempDir();
    fs.chmodSync(open, 0o777);
    await expect(start({ socketPath: path.join(open, 'helper.sock') })).rejects.toThrow(/others can write/);
    const foreign = tempDir();
    if (process.getuid!() === 0) {
      fs.chownSync(foreign, 12345, 12345);
      await expect(start({ socketPath: path.join(foreign, 'helper.sock') })).rejects.toThrow(/belongs to uid 12345/);
    }
  });

  it('has a new mapping on disk before it replies, and a restarted helper answers for it', async () => {
    const stateDir = path.join(tempDir(), 'state');
    const first = await start({ stateDir });
    const client = await Client.connect(first.socketPath);
    client.write(encodeRequest({ type: MsgType.Map6, id: 1, v6: '2001:db8::8' }));
    expect(await client.next()).toMatchObject({ status: Status.Ok, entry: { v4: '198.18.0.1' } });
    expect(fs.readFileSync(path.join(stateDir, 'mappings.journal'), 'utf8')).toContain('"v6":"2001:db8::8"');
    client.close();
    await first.close();
    helpers.splice(helpers.indexOf(first), 1);

    const second = await start({ stateDir });
    const again = await Client.connect(second.socketPath);
    again.write(encodeRequest({ type: MsgType.Map4, id: 2, v4: '198.18.0.1' }));
    expect(await again.next()).toMatchObject({ status: Status.Ok, entry: { kind: Kind.Pool, v6: '2001:db8::8' } });
    again.write(encodeRequest({ type: MsgType.Map6, id: 3, v6: '2001:db8::9' }));
    expect(await again.next()).toMatchObject({ status: Status.Ok, entry: { v4: '198.18.0.2' } });
    again.close();
  });

  it('removes its socket when closed', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    await helper.close();
    helpers.splice(helpers.indexOf(helper), 1);
    expect(fs.existsSync(helper.socketPath)).toBe(false);
    expect(await client.hangsUp()).toBe(true);
  });
});

// Hostile input: whatever one client sends, the helper keeps answering a
// well-behaved one promptly and gives back what the hostile one held.
describe('startHelper under hostile clients', () => {
  const BOUND_MS = 500;

  /** One HELLO round trip on the good client, checked and timed. */
  async function probe(good: Client, id: number): Promise<void> {
    const start = Date.now();
    good.write(hello(id));
    expect(await good.next()).toMatchObject({ id, status: Status.Ok });
    expect(Date.now() - start).toBeLessThan(BOUND_MS);
  }

  const openFds = () => fs.readdirSync('/proc/self/fd').length;

  it('survives thousands of random frames and gives back every descriptor', async () => {
    const helper = await start();
    const good = await Client.connect(helper.socketPath);
    await probe(good, 1);
    const fdsBefore = openFds();
    const random = prng(0xb1a);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    // Half raw noise, half frames with a plausible length and header and a random rest.
    const frame = (i: number): Buffer => {
      if (i % 2) return bytes(1 + Math.floor(random() * 64));
      const body = bytes(Math.floor(random() * 40));
      const head = Buffer.from([0, 0, 0, 0, random() < 0.8 ? 1 : 2, 1 + Math.floor(random() * 6), 0, 0, 0, 0, 0, i & 0xff]);
      head.writeUInt32BE(8 + body.length, 0);
      return Buffer.concat([head, body]);
    };
    for (let round = 0; round < 30; round++) {
      const hostile = await Promise.all(Array.from({ length: 10 }, () => Client.connect(helper.socketPath)));
      hostile.forEach((c, n) => c.write(Buffer.concat(Array.from({ length: 10 }, (_, k) => frame(round * 100 + n * 10 + k)))));
      await probe(good, 100 + round);
      hostile.forEach((c) => c.close());
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(openFds()).toBeLessThanOrEqual(fdsBefore + 2);
    await probe(good, 2);
    good.close();
  });

  it('hangs up on every out-of-range length without a reply', async () => {
    const helper = await start();
    for (const length of [0, 7, 4093, 65536, 0x7fffffff, 0xffffffff]) {
      const client = await Client.connect(helper.socketPath);
      const frame = hello(1);
      frame.writeUInt32BE(length, 0);
      client.write(frame);
      expect(await client.hangsUp(), `length ${length}`).toBe(true);
    }
  });

  it('cuts off a slow-loris client that never finishes a frame, but serves a slow one that does', async () => {
    const helper = await start({ frameTimeoutMs: 1000 });
    const good = await Client.connect(helper.socketPath);
    const loris = await Client.connect(helper.socketPath);
    const slow = await Client.connect(helper.socketPath);
    const endless = Buffer.alloc(4096);
    endless.writeUInt32BE(4092, 0);
    const request = hello(9);
    const started = Date.now();
    for (let i = 0; !loris.closed && i < 60; i++) {
      loris.write(endless.subarray(i, i + 1));
      if (i < request.length) slow.write(request.subarray(i, i + 1));
      if (i % 5 === 0) await probe(good, 1000 + i);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await loris.hangsUp()).toBe(true);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await slow.next()).toMatchObject({ id: 9, status: Status.Ok });
    good.close();
    slow.close();
  });

  it('caps the connections one process holds, with a log line, and keeps serving others', async () => {
    const lines: string[] = [];
    const helper = await start({ maxConnectionsPerPeer: 100, log: createLogger('warn', 'test', (l) => lines.push(l)) });
    const good = await Client.connect(helper.socketPath);
    const fdsBefore = openFds();
    // In batches with a pause, so the helper (in this same event loop) gets to
    // accept: unaccepted, they would overflow the listen backlog (EAGAIN).
    const idle: Client[] = [];
    for (let batch = 0; batch < 10; batch++) {
      idle.push(...(await Promise.all(Array.from({ length: 100 }, () => Client.connect(helper.socketPath)))));
      await new Promise((r) => setTimeout(r, 20));
    }
    await probe(good, 1);
    // The refusals arrive as the event loop gets to them: wait (bounded) rather than guess a time.
    const refused = () => idle.filter((c) => c.closed).length;
    for (const deadline = Date.now() + 10_000; refused() < 901 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 100)); // and no more than that: the good client holds one of the 100
    expect(refused()).toBe(901);
    expect(lines.some((l) => l.includes(`refused a connection from pid ${process.pid}: it already holds 100`))).toBe(true);
    // Another process is not affected by this one's share.
    const child = await new Promise<string>((resolve) => {
      const script = `const s=require('net').connect(${JSON.stringify(helper.socketPath)},()=>s.write(Buffer.from('${hello(5).toString('hex')}','hex')));s.on('data',d=>{console.log(d.toString('hex'));s.destroy()})`;
      const p = spawn(process.execPath, ['-e', script]);
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.on('close', () => resolve(out.trim()));
    });
    expect(decodeReply(Buffer.from(child, 'hex'))).toMatchObject({ id: 5, status: Status.Ok });
    idle.forEach((c) => c.close());
    await new Promise((r) => setTimeout(r, 200));
    expect(openFds()).toBeLessThanOrEqual(fdsBefore + 2);
    // The slots are given back: the process may connect again.
    const again = await Client.connect(helper.socketPath);
    await probe(again, 2);
    again.close();
    good.close();
  });

  it('stops reading from a client that does not read its replies, then answers them all', async () => {
    const helper = await start();
    const client = await Client.connect(helper.socketPath);
    client.socket.pause();
    const count = 100_000;
    client.write(Buffer.concat(Array.from({ length: count }, (_, i) => hello(i))));
    // Wait until the helper takes no more: with its replies unread, it must
    // stop reading rather than queue replies without bound.
    let unsent = -1;
    for (let still = 0; still < 5; ) {
      await new Promise((r) => setTimeout(r, 100));
      still = client.socket.writableLength === unsent ? still + 1 : 0;
      unsent = client.socket.writableLength;
    }
    expect(unsent).toBeGreaterThan(0);
    client.socket.resume();
    for (let i = 0; i < count; i++) expect((await client.nextFrame()).readUInt32BE(8)).toBe(i);
    client.close();
  }, 30_000);
});

// A second, real uid (nobody, through setpriv) against a helper of this
// test's user: the socket directory keeps it out, and should the socket ever
// be reachable, SO_PEERCRED does.
const asNobody = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
describe('startHelper and another user', skipWhen(!asNobody && 'needs root, to run a second user through setpriv'), () => {
  const NOBODY = 65534;

  /** Runs a Python client as uid/gid 65534 that sends `request` and prints what it got back. */
  function otherUser(socketPath: string, request: Buffer): Promise<string> {
    const code = `import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect", e.errno); sys.exit()
s.settimeout(3)
try:
    s.sendall(bytes.fromhex(sys.argv[2])); data = s.recv(4096)
except (BrokenPipeError, ConnectionResetError):
    data = b""  # closed before or while the request was sent
print("reply", data.hex() or "none (closed)")`;
    return new Promise((resolve) => {
      const args = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '/usr/bin/python3', '-c', code, socketPath, request.toString('hex')];
      const child = spawn('setpriv', args);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', () => resolve(out.trim()));
    });
  }

  it('cannot reach the socket, and when it can, is refused by uid and changes no mapping', async () => {
    const lines: string[] = [];
    const helper = await start({ log: createLogger('warn', 'test', (l) => lines.push(l)) });
    const runDir = path.dirname(helper.socketPath);
    fs.chmodSync(path.dirname(runDir), 0o711); // only the socket directory itself stands in the way
    expect(fs.statSync(runDir).mode & 0o777).toBe(0o700);
    const own = await Client.connect(helper.socketPath);
    own.write(resolve4(1, 'v6only.example'));
    expect(await own.next()).toMatchObject({ resolve: { entries: [{ v4: '198.18.0.1' }] } });
    const size = helper.mapper.size;

    expect(await otherUser(helper.socketPath, hello(1))).toBe('connect 13'); // EACCES

    // Opened up by mistake: the helper itself still refuses the stranger.
    fs.chmodSync(runDir, 0o711);
    fs.chmodSync(helper.socketPath, 0o666);
    const poison = encodeRequest({ type: MsgType.Map6, id: 2, v6: '2001:db8::66' });
    const peek = encodeRequest({ type: MsgType.Name4, id: 3, v4: '198.18.0.1' });
    // DENIED (status 9) to the first request, nothing carried out.
    expect(await otherUser(helper.socketPath, poison)).toBe('reply 0000000801040009' + '00000002');
    expect(await otherUser(helper.socketPath, peek)).toBe('reply 0000000801050009' + '00000003');
    expect(lines.filter((l) => l.includes(`refused a client of uid ${NOBODY}`))).toHaveLength(1); // once per ten seconds
    expect(helper.mapper.size).toBe(size);
    own.write(encodeRequest({ type: MsgType.Map4, id: 4, v4: '198.18.0.1' }));
    expect(await own.next()).toMatchObject({ status: Status.Ok, entry: { v6: '2001:db8::7' } });
    own.close();
  });
});
