// The helper's use socket (docs/protocol.md, "Reports as datagrams"): USE
// and RELEASE sent as datagrams by real other processes (python3), each
// counted for the process the kernel says sent it, and nothing else let in.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../../src/client.js';
import type { Helper, HelperOptions } from '../../src/helper/server.js';
import { createLogger } from '../../src/log.js';
import { useSocketPath } from '../../src/paths.js';
import { MsgType } from '../../src/wire/messages.js';
import { encodeRequest } from '../../src/wire/requests.js';
import { ipv6OnlyNet, startHelperIn } from '../support/helper-in-dir.js';
import { asUser, secondUidMissing, VICTIM } from '../support/second-uid.js';
import { skipWhen } from '../support/skip.js';

type Vector = { name: string; hex: string };
const vectors = JSON.parse(fs.readFileSync(new URL('../vectors/protocol.json', import.meta.url), 'utf8')) as { requests: Vector[]; malformed_requests: Vector[] };

const dirs: string[] = [];
const helpers: Helper[] = [];
const children: { kill(): void }[] = [];
afterEach(async () => {
  children.splice(0).forEach((c) => c.kill());
  await Promise.all(helpers.splice(0).map((h) => h.close()));
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

async function start(options: HelperOptions = {}): Promise<{ h: Helper; log: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-usedg-'));
  dirs.push(dir);
  const log: string[] = [];
  const h = await startHelperIn(dir, {
    dns: () => ({ query: async () => ({ kind: 'nxdomain' }), cancel() {} }),
    netSources: ipv6OnlyNet,
    log: createLogger('debug', 'test', (line) => void log.push(line)),
    ...options,
  });
  helpers.push(h);
  return { h, log };
}

const mapped = async (h: Helper, v6: string): Promise<string> => ((await request(h.socketPath, { type: MsgType.Map6, id: 1, v6 })) as { entry: { v4: string } }).entry.v4;
const frame = (type: MsgType.Use | MsgType.Release, v4s: string[]) => encodeRequest({ type, id: 0, v4s }).toString('hex');

// The system's, which another user may run (a PATH may lead to root's own).
const PYTHON = '/usr/bin/python3';

// Sends each hex datagram to PATH, prints "sent" or the error of each, then
// waits for its stdin to close (so the test decides when the sender ends).
const SENDER = String.raw`
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for d in sys.argv[2:]:
    try:
        if d.startswith("forge:"):
            import struct
            pid, uid, gid, data = d.split(":")[1:]
            s.sendmsg([bytes.fromhex(data)], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack("3i", int(pid), int(uid), int(gid)))], 0, sys.argv[1])
        else:
            s.sendto(bytes.fromhex(d), sys.argv[1])
        print("sent", flush=True)
    except OSError as e:
        print(type(e).__name__, flush=True)
print("done", flush=True)
sys.stdin.read()
`;

/** A live sender of DATAGRAMS (argv prefix: another user); resolves with what it printed, once it is done sending. */
function send(socket: string, datagrams: string[], prefix: string[] = []): Promise<{ out: string[]; pid: number; end(): void }> {
  const argv = [...prefix, PYTHON, '-c', SENDER, useSocketPath(socket), ...datagrams];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const end = () => child.stdin.end();
  children.push({ kill: () => child.kill() });
  return new Promise((resolve, reject) => {
    let text = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the sender exited (${code}) before it was done: ${text}`)));
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('done\n')) resolve({ out: text.trim().split('\n').slice(0, -1), pid: child.pid!, end });
    });
  });
}

describe('USE and RELEASE as datagrams', () => {
  it('hold a mapping for the sending process, which gives it back when it ends', async () => {
    const { h } = await start({ sweepIntervalMs: 50 });
    const v4 = await mapped(h, '2001:db8::1');
    expect(fs.statSync(useSocketPath(h.socketPath)).mode & 0o777).toBe(0o600);
    const sender = await send(h.socketPath, [frame(MsgType.Use, [v4, v4]), frame(MsgType.Release, [v4])]);
    expect(sender.out).toEqual(['sent', 'sent']);
    await expect.poll(() => h.mapper.lookupV4(v4)?.inUse).toBe(1);
    // The use is the sender's (its pid from SCM_CREDENTIALS): its end gives it back.
    sender.end();
    await expect.poll(() => h.mapper.lookupV4(v4)?.inUse, { timeout: 3000 }).toBe(0);
  });

  it("carry the shared vectors' USE and RELEASE frames, and drop every malformed one and any other type", async () => {
    const { h, log } = await start();
    const v4 = await mapped(h, '2001:db8::2');
    expect(v4).toBe('198.18.0.1');   // the address the vectors use
    const vector = (name: string) => vectors.requests.find((v) => v.name === name)!.hex;
    const bad = [...vectors.malformed_requests.map((v) => v.hex), vector('hello'), vector('use two mappings').slice(0, -2)];
    const sender = await send(h.socketPath, [...bad, vector('use two mappings')]);
    expect(sender.out).toEqual([...bad, 0].map(() => 'sent'));
    await expect.poll(() => h.mapper.lookupV4(v4)?.inUse).toBe(1);
    expect(log.filter((l) => l.includes('not a well-formed USE or RELEASE'))).toHaveLength(bad.length);
    expect(h.mapper.size).toBe(1);
    // A release is the announcing process's alone: another's is ignored, its own counts.
    const other = await send(h.socketPath, [vector('release one mapping')]);
    await expect.poll(() => log.some((l) => l.includes(`from pid ${other.pid}`))).toBe(true);
    expect(h.mapper.lookupV4(v4)?.inUse).toBe(1);
  });

  it('are not listened for by a helper that admits by group (a datagram carries no groups)', async () => {
    const { h } = await start({ allow: { uids: [], gids: [4321] } });
    expect(fs.existsSync(useSocketPath(h.socketPath))).toBe(false);
  });

  it('leave no socket behind when the helper stops', async () => {
    const { h } = await start();
    const use = useSocketPath(h.socketPath);
    expect(fs.lstatSync(use).isSocket()).toBe(true);
    await helpers.pop()!.close();
    expect(fs.existsSync(use)).toBe(false);
  });
});

describe('datagrams of another user', skipWhen(secondUidMissing), () => {
  it('are refused, and nobody can claim another process or user', async () => {
    const { h, log } = await start();
    const v4 = await mapped(h, '2001:db8::4');
    // Open the way as a careless admin might: only admission stands between.
    fs.chmodSync(path.dirname(path.dirname(h.socketPath)), 0o711);
    fs.chmodSync(path.dirname(h.socketPath), 0o755);
    fs.chmodSync(useSocketPath(h.socketPath), 0o666);
    const use = frame(MsgType.Use, [v4]);
    const other = await send(h.socketPath, [use, `forge:1:0:0:${use}`, `forge:${process.pid}:${VICTIM}:${VICTIM}:${use}`], asUser(VICTIM, []));
    // The kernel refuses credentials that are not the sender's own.
    expect(other.out).toEqual(['sent', 'PermissionError', 'PermissionError']);
    await expect.poll(() => log.some((l) => l.includes(`refused a use report of uid ${VICTIM}`))).toBe(true);
    expect(h.mapper.lookupV4(v4)?.inUse).toBe(0);
    // The helper's own user still gets through (so the refusal was not a dead socket).
    await send(h.socketPath, [use]);
    await expect.poll(() => h.mapper.lookupV4(v4)?.inUse).toBe(1);
  });
});
