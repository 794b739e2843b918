// Helper memory, driven over the real protocol (dist/wire/). The request
// rate is bench/capacity_client.c's: a Node client costs more CPU per
// request than the helper it measures.
//
//   node bench/capacity.mjs memory SOCKET PID DEADLINE_S N1 N2..
//                                          helper RSS at N live mappings
//
// Fills the mapper with distinct MAP6 requests from 8 clients and reads
// VmRSS of PID from /proc after each count (and once before, the base).
// Filling stops at DEADLINE_S seconds so that a slow helper cannot stall
// the suite; the count reached is reported with "reached": false.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameReader } from '../dist/wire/frames.js';
import { MsgType, Status } from '../dist/wire/messages.js';
import { decodeReply } from '../dist/wire/replies.js';
import { encodeRequest } from '../dist/wire/requests.js';

const CLIENTS = 8;
let next = 1;
const v6 = (n) => `2001:db8:${(0x100 + Math.floor(n / 2 ** 32)).toString(16)}::${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
const makeMap6 = (id) => encodeRequest({ type: MsgType.Map6, id, v6: v6(next++) });

class Client {
  constructor(socketPath) {
    this.sock = connect(socketPath);
    this.reader = new FrameReader();
    this.waiting = [];
    this.sock.on('data', (chunk) => {
      for (const frame of this.reader.push(chunk)) {
        const reply = decodeReply(frame);
        if (reply.status !== Status.Ok) throw new Error(`helper answered ${Status[reply.status]}`);
        this.waiting.shift()(reply);
      }
    });
    this.ready = new Promise((resolve, reject) => {
      this.sock.once('connect', resolve);
      this.sock.once('error', reject);
    });
  }
  send(buf) {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.sock.write(buf);
    });
  }
  close() {
    this.sock.destroy();
  }
}

async function clients(socketPath) {
  const all = Array.from({ length: CLIENTS }, () => new Client(socketPath));
  await Promise.all(all.map((c) => c.ready));
  return all;
}

function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

async function memory(socketPath, pid, deadlineS, counts) {
  const deadline = performance.now() + deadlineS * 1000;
  const all = await clients(socketPath);
  await Promise.all(all.map((c) => c.send(encodeRequest({ type: MsgType.Hello, id: 0 }))));
  await sleep(1000);
  const base = rssBytes(pid);
  console.log(JSON.stringify({ mappings: 0, rss: base }));
  let id = 1;
  for (const target of counts) {
    // 8 clients x 64 in flight, until `target` distinct addresses are mapped.
    const lane = async (c) => {
      while (next <= target && performance.now() < deadline) await c.send(makeMap6(id++));
    };
    await Promise.all(all.flatMap((c) => Array.from({ length: 64 }, () => lane(c))));
    await sleep(1000);
    const rss = rssBytes(pid);
    console.log(JSON.stringify({ target, reached: next > target, mappings: next - 1, rss, per_mapping: Math.round((rss - base) / (next - 1)) }));
    if (next <= target) break;
  }
  all.forEach((c) => c.close());
}

const [mode, socketPath, ...rest] = process.argv.slice(2);
if (mode === 'memory') await memory(socketPath, Number(rest[0]), Number(rest[1]), rest.slice(2).map(Number));
else {
  console.error('usage: capacity.mjs memory SOCKET PID DEADLINE_S N...');
  process.exit(2);
}
