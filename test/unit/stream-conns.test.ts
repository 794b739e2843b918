// The helper's connections are the addon's (native/streamconns.cc): a
// client costs the helper no Node socket, whose garbage set its tail
// latency (bench/shortfalls.md). The clients here are another process's,
// so that this process's own sockets are not counted.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ipv6OnlyNet, startHelperIn } from '../support/helper-in-dir.js';
import type { Helper } from '../../src/helper/server.js';

const CLIENTS = 100;

// Opens N connections, asks HELLO on each and reads its reply, says
// "ready", and holds them until its stdin closes.
const HOLD = String.raw`
import socket, struct, sys
held = []
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(struct.pack(">IBBHI", 8, 1, 1, 0, i + 1))
    head = s.recv(4, socket.MSG_WAITALL)
    s.recv(struct.unpack(">I", head)[0], socket.MSG_WAITALL)
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
`;

const dirs: string[] = [];
const helpers: Helper[] = [];
afterEach(async () => {
  await Promise.all(helpers.splice(0).map((h) => h.close()));
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const pipes = () => process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap').length;

describe("the helper's connections", () => {
  it('serves and holds clients without a Node socket for each', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-conns-'));
    dirs.push(dir);
    const helper = await startHelperIn(dir, { netSources: ipv6OnlyNet });
    helpers.push(helper);
    const before = pipes();
    const holder = spawn('python3', ['-c', HOLD, helper.socketPath, String(CLIENTS)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (d) => (out += d) && out.includes('ready') && resolve());
      holder.once('exit', (code) => reject(new Error(`the client process exited (${code}) before it was ready`)));
    });
    // All answered and still open: the helper's own Node sockets did not grow with them
    // (the child's stdio pipes are this process's: 2 of them).
    expect(pipes() - before).toBeLessThanOrEqual(2);
    holder.stdin!.end();
    await new Promise((r) => holder.once('exit', r));
  }, 30_000);
});
