// A real `bia helper` in its own process, in a scratch directory, for tests
// that must watch it from outside: whether it stays alive, how many
// descriptors it holds, how much memory it uses. Its DNS server refuses at
// once (nothing listens on the loopback port), so random names cost no wait.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from '../../src/client.js';
import { packageRoot } from '../../src/package-root.js';
import { MsgType } from '../../src/wire/messages.js';

export interface HelperProcess {
  readonly pid: number;
  readonly socketPath: string;
  alive(): boolean;
  /** Open descriptors, from /proc/PID/fd. */
  fds(): number;
  /** Resident set size in KiB, from /proc/PID/status. */
  rssKiB(): number;
  log(): string;
  stop(): Promise<void>;
}

/** NODE_FLAGS: V8/Node options for the helper's node (e.g. a GC schedule for memory figures); HELPER_ARGS: more `bia helper` options. */
export async function startHelperProcess(nodeFlags: string[] = [], helperArgs: string[] = []): Promise<HelperProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bia-helperproc-'));
  const socketPath = path.join(dir, 'run', 'helper.sock');
  const logPath = path.join(dir, 'helper.log');
  fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  const log = fs.openSync(logPath, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env, BIA_INSIDE_HELPER: '1', BIA_ALLOW_ROOT: '1', BIA_RESOLV_CONF: path.join(dir, 'resolv.conf'), XDG_STATE_HOME: path.join(dir, 'state') };
  delete env.LD_PRELOAD;
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, path.join(packageRoot, 'dist/cli/main.js'), 'helper', '--socket', socketPath, '--network', 'ipv6-only', '--log-level', 'warn', ...helperArgs], {
    stdio: ['ignore', log, log],
    env,
  });
  fs.closeSync(log);
  let exited = false;
  child.on('exit', () => (exited = true));
  const pid = child.pid!;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await request(socketPath, { type: MsgType.Hello, id: 1 }, 500);
      break;
    } catch (err) {
      if (exited || Date.now() > deadline) throw new Error(`the helper did not start: ${(err as Error).message}\n${fs.readFileSync(logPath, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    pid,
    socketPath,
    alive: () => !exited,
    fds: () => fs.readdirSync(`/proc/${pid}/fd`).length,
    rssKiB: () => Number(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m)![1]),
    log: () => fs.readFileSync(logPath, 'utf8'),
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
