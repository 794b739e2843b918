// Request-side fuzzing of a real helper process (the reply side is
// test/unit/fuzz-decoder.test.ts). For a time budget, hostile clients send
// mutated frames (truncated, oversized or undersized lengths, wrong
// version, type, status and bodies, random bytes, frames split into random
// pieces), slow-loris clients trickle a frame that never ends, and other
// processes hold 2,000 idle connections. Throughout, a well-behaved client
// must get correct answers within a bound; at the end the helper must be
// alive, must have answered only well-formed frames (never INTERNAL), and
// must have given back every descriptor. Seeded: a failure names its seed.
//   BIA_FUZZ_SECONDS=600 BIA_FUZZ_SEED=1234 npx vitest run test/e2e/helper-fuzz.test.ts
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { FrameReader } from '../../src/wire/frames.js';
import { MsgType, Status } from '../../src/wire/messages.js';
import { decodeReply } from '../../src/wire/replies.js';
import { encodeRequest } from '../../src/wire/requests.js';
import { startHelperProcess, type HelperProcess } from '../support/helper-process.js';
import { prng } from '../support/prng.js';

const SECONDS = Number(process.env.BIA_FUZZ_SECONDS ?? 10);
const SEED = Number(process.env.BIA_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const PROBE_BOUND_MS = 2000; // two shared, loaded cores: generous, but far below "hangs"
const IDLE_PROCESSES = 8;
const IDLE_PER_PROCESS = 250; // under the helper's per-process cap of 256
const LORIS = 32;
const HOSTILE_IN_FLIGHT = 16;

const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

// Seeds: every request vector, good and malformed, and requests at the
// edges of what the protocol allows (names of 1 and 253 bytes, non-ASCII).
const vectors = JSON.parse(fs.readFileSync(path.join(packageRoot, 'test/vectors/protocol.json'), 'utf8')) as Record<string, { hex: string }[]>;
const SEEDS: Buffer[] = [
  ...[...vectors.requests, ...vectors.malformed_requests].map((v) => Buffer.from(v.hex, 'hex')),
  encodeRequest({ type: MsgType.Resolve, id: 7, family: 4, name: 'x'.repeat(253) }),
  encodeRequest({ type: MsgType.Resolve, id: 8, family: 6, name: 'é.bücher.test' }),
  encodeRequest({ type: MsgType.Resolve, id: 9, family: 4, name: 'a' }),
  encodeRequest({ type: MsgType.Map6, id: 10, v6: '::ffff:192.0.2.1' }),
  encodeRequest({ type: MsgType.Map4, id: 11, v4: '198.18.0.0' }),
  encodeRequest({ type: MsgType.Name4, id: 12, v4: '255.255.255.255' }),
];

const LENGTHS = [0, 1, 7, 8, 9, 4091, 4092, 4093, 4096, 65535, 0x7fffffff, 0xffffffff];

function mutate(seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  switch (int(9)) {
    case 0:
      return b.subarray(0, int(b.length)); // truncated
    case 1:
      for (let i = 1 + int(4); i > 0; i--) b[int(b.length)] ^= 1 << int(8);
      return b;
    case 2:
      b.writeUInt32BE(random() < 0.5 ? pick(LENGTHS) : int(2 ** 32), 0);
      return b;
    case 3:
      b[4] = pick([0, 2, 255, int(256)]); // version
      return b;
    case 4:
      b[5] = int(256); // type
      return b;
    case 5:
      b.writeUInt16BE(1 + int(65535), 6); // status in a request
      return b;
    case 6: {
      // A body of a random size (up to past the largest frame), the length field kept honest or not.
      const grown = Buffer.concat([b.subarray(0, 12), bytes(int(4200))]);
      if (random() < 0.7) grown.writeUInt32BE(Math.min(grown.length - 4, 0xffffffff), 0);
      return grown;
    }
    case 7:
      return bytes(1 + int(64));
    default:
      return Buffer.concat([b, mutate(pick(SEEDS))]); // pipelined with another
  }
}

/** Checks every frame the helper wrote back to a hostile client. */
function checkReplies(data: Buffer, problems: string[]): void {
  let frames: Buffer[];
  try {
    frames = new FrameReader().push(data);
  } catch (err) {
    problems.push(`the helper wrote an unframeable reply: ${(err as Error).message}`);
    return;
  }
  for (const f of frames) {
    if (f[4] !== 1) problems.push(`reply with version ${f[4]}`);
    const status = f.readUInt16BE(6);
    if (status > Status.Internal) problems.push(`reply with unknown status ${status}`);
    if (status === Status.Internal) problems.push(`INTERNAL reply to ${f.subarray(0, 12).toString('hex')}: a request made the helper fail`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One hostile client: mutated frames, whole or in pieces, then a close of either kind. */
async function hostileSession(socketPath: string, problems: string[]): Promise<void> {
  const socket = net.connect(socketPath);
  const received: Buffer[] = [];
  socket.on('data', (d) => received.push(d));
  socket.on('error', () => {});
  const closed = new Promise((r) => socket.once('close', r));
  await new Promise((r) => socket.once('connect', r).once('error', r));
  const stream = Buffer.concat(Array.from({ length: 1 + int(5) }, () => (random() < 0.15 ? encodeRequest({ type: MsgType.Hello, id: int(2 ** 32) }) : mutate(pick(SEEDS)))));
  if (random() < 0.5) socket.write(stream);
  else {
    for (let at = 0; at < stream.length && !socket.destroyed; ) {
      const n = 1 + int(64);
      socket.write(stream.subarray(at, at + n));
      at += n;
      await sleep(int(5));
    }
  }
  if (random() < 0.5) socket.end();
  await Promise.race([closed, sleep(300)]);
  socket.destroy();
  checkReplies(Buffer.concat(received), problems);
}

/** A slow-loris client: one byte of a frame that claims 4092 bytes, every 250 ms, until cut off. */
function loris(socketPath: string, stop: () => boolean, cut: () => void): void {
  const socket = net.connect(socketPath);
  socket.on('error', () => {});
  const frame = Buffer.alloc(4096);
  frame.writeUInt32BE(4092, 0);
  let at = 0;
  const timer = setInterval(() => socket.writable && socket.write(frame.subarray(at, ++at)), 250);
  socket.once('close', () => {
    clearInterval(timer);
    if (stop()) return;
    cut();
    loris(socketPath, stop, cut);
  });
  const end = setInterval(() => stop() && (clearInterval(end), socket.destroy()), 100);
}

/** Processes that each open IDLE_PER_PROCESS connections and hold them until their stdin closes. */
async function idleHolders(socketPath: string): Promise<ChildProcess[]> {
  const code = `import socket, sys
held = []
for _ in range(${IDLE_PER_PROCESS}):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); held.append(s)
print("holding", len(held), flush=True)
sys.stdin.read()`;
  return Promise.all(
    Array.from({ length: IDLE_PROCESSES }, async () => {
      const child = spawn('python3', ['-c', code, socketPath], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => (out += d) && out.includes('holding') && resolve());
        child.on('exit', (c) => reject(new Error(`an idle holder exited (${c}) before holding its connections`)));
      });
      return child;
    }),
  );
}

/** The well-behaved client: HELLO, MAP6, MAP4 back, on one connection, each answered right and in time. */
class Probe {
  private readonly reader = new FrameReader();
  private readonly waiting: ((f: Buffer) => void)[] = [];
  private readonly socket: net.Socket;
  private id = 0;
  latencies: number[] = [];
  pool?: string;

  constructor(socketPath: string) {
    this.socket = net.connect(socketPath);
    this.socket.on('data', (d) => this.reader.push(d).forEach((f) => this.waiting.shift()?.(f)));
  }

  private ask(req: Parameters<typeof encodeRequest>[0]): Promise<ReturnType<typeof decodeReply>> {
    const reply = new Promise<Buffer>((resolve, reject) => {
      this.waiting.push(resolve);
      setTimeout(() => reject(new Error(`no answer to ${MsgType[req.type]} within ${PROBE_BOUND_MS} ms (seed ${SEED})`)), PROBE_BOUND_MS);
    });
    this.socket.write(encodeRequest(req));
    return reply.then(decodeReply);
  }

  async round(): Promise<void> {
    const start = Date.now();
    expect(await this.ask({ type: MsgType.Hello, id: ++this.id })).toMatchObject({ status: Status.Ok, id: this.id });
    const map6 = await this.ask({ type: MsgType.Map6, id: ++this.id, v6: '2001:db8:ffff::1' });
    if (!('entry' in map6)) throw new Error(`MAP6 answered status ${map6.status}`);
    this.pool ??= map6.entry.v4;
    expect(map6.entry.v4, 'the same IPv6 address keeps its pool address').toBe(this.pool);
    expect(await this.ask({ type: MsgType.Map4, id: ++this.id, v4: this.pool })).toMatchObject({ status: Status.Ok, entry: { v6: '2001:db8:ffff::1' } });
    this.latencies.push(Date.now() - start);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('helper request fuzzing', () => {
  let helper: HelperProcess;
  beforeAll(async () => {
    helper = await startHelperProcess();
  });
  afterAll(async () => {
    await helper?.stop();
  });

  it(`keeps serving a good client through ${SECONDS} s of hostile input (seed ${SEED})`, async () => {
    const probe = new Probe(helper.socketPath);
    await probe.round();
    await sleep(200);
    const fdsBefore = helper.fds();
    const holders = await idleHolders(helper.socketPath);
    let stopping = false;
    let cuts = 0;
    for (let i = 0; i < LORIS; i++) loris(helper.socketPath, () => stopping, () => cuts++);
    const problems: string[] = [];
    const deadline = Date.now() + SECONDS * 1000;
    let sessions = 0;
    const worker = async () => {
      while (Date.now() < deadline && problems.length === 0) {
        await hostileSession(helper.socketPath, problems);
        sessions++;
      }
    };
    const prober = async () => {
      while (Date.now() < deadline) {
        await probe.round();
        await sleep(100);
      }
    };
    await Promise.all([prober(), ...Array.from({ length: HOSTILE_IN_FLIGHT }, worker)]);
    expect(helper.fds() - fdsBefore, 'the idle connections are all held').toBeGreaterThanOrEqual(IDLE_PROCESSES * IDLE_PER_PROCESS);
    stopping = true;
    holders.forEach((h) => h.stdin!.end());
    await Promise.all(holders.map((h) => new Promise((r) => (h.exitCode === null ? h.once('exit', r) : r(null)))));
    await probe.round();
    probe.close();
    const summary = `seed ${SEED}: ${sessions} hostile sessions, ${cuts} slow-loris cut off, probe max ${Math.max(...probe.latencies)} ms over ${probe.latencies.length} rounds`;
    console.log(summary);
    expect(problems, summary).toEqual([]);
    expect(helper.alive(), `${summary}\n${helper.log()}`).toBe(true);
    if (SECONDS >= 6) expect(cuts, 'slow-loris clients are cut off after the 5 s frame timeout').toBeGreaterThan(0);
    // Every descriptor of the hostile, idle and slow clients is given back.
    let fds = helper.fds();
    for (let i = 0; i < 50 && fds > fdsBefore; i++) {
      await sleep(100);
      fds = helper.fds();
    }
    expect(fds, summary).toBeLessThanOrEqual(fdsBefore);
    expect(helper.log(), 'no request made the helper log an error').not.toMatch(/ERROR|failed:/i);
  }, (SECONDS + 60) * 1000);
});
