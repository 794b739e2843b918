// Helper capacity and memory, driven over the real protocol (dist/wire/).
//
//   node bench/capacity.mjs rate SOCKET SECONDS [PID]  requests/s from 8 clients
//   node bench/capacity.mjs memory SOCKET PID DEADLINE_S N1 N2..
//                                          helper RSS at N live mappings
//
// rate: 8 connections, each in lockstep (one request in flight, as the
// preload does), then each with 32 requests pipelined; MAP6 of distinct IPv6
// addresses (every request allocates a pool address), RESOLVE of distinct
// IPv6 literals, and MAP6 of addresses already mapped. Prints one JSON line
// per phase; given the helper's PID, also the helper's CPU time (user +
// system) per request, which other load on the machine disturbs far less
// than the rate.
// memory: fills the mapper with distinct MAP6 requests and reads VmRSS of
// PID from /proc after each count (and once before, the base). Filling stops
// at DEADLINE_S seconds so that a slow helper cannot stall the suite; the
// count reached is reported with "reached": false.
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
const makeResolve = (id) => encodeRequest({ type: MsgType.Resolve, id, family: 4, name: v6(next++) });
// The common case: a peer the helper already maps (every connect after the
// first to a peer, every accept from a known client). 1000 of them, in turn.
const makeKnown = (id) => encodeRequest({ type: MsgType.Map6, id, v6: v6(id % 1000) });

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

// utime + stime of a process, in microseconds (fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms).
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

// Each client keeps `depth` requests in flight until the deadline.
async function drive(all, make, depth, seconds) {
  let done = 0;
  let id = 1;
  const deadline = performance.now() + seconds * 1000;
  const lane = async (c) => {
    while (performance.now() < deadline) {
      await c.send(make(id++));
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(all.flatMap((c) => Array.from({ length: depth }, () => lane(c))));
  return { perSecond: done / ((performance.now() - t0) / 1000), done };
}

async function rate(socketPath, seconds, pid) {
  const all = await clients(socketPath);
  for (const [name, make, depth] of [
    ['map6', makeMap6, 1],
    ['resolve_literal', makeResolve, 1],
    ['map6_pipelined', makeMap6, 32],
    ['map6_known', makeKnown, 1],
  ]) {
    // JIT warm-up of this request's path, pipelined so that a loaded
    // machine still runs it often enough for the optimizing compiler.
    await drive(all, make, 32, Math.min(0.5, seconds / 4));
    const cpu0 = pid ? cpuMicros(pid) : 0;
    const { perSecond, done } = await drive(all, make, depth, seconds);
    const cpu = pid ? { cpu_us_per_request: Number(((cpuMicros(pid) - cpu0) / done).toFixed(1)) } : {};
    console.log(JSON.stringify({ phase: name, clients: CLIENTS, depth, per_second: Math.round(perSecond), ...cpu }));
  }
  all.forEach((c) => c.close());
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
if (mode === 'rate') await rate(socketPath, Number(rest[0] ?? 2), rest[1] && Number(rest[1]));
else if (mode === 'memory') await memory(socketPath, Number(rest[0]), Number(rest[1]), rest.slice(2).map(Number));
else {
  console.error('usage: capacity.mjs rate SOCKET SECONDS [PID] | memory SOCKET PID DEADLINE_S N...');
  process.exit(2);
}
