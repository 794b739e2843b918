// Socket activation without systemd: the listening socket is created and
// passed as fd 3 with LISTEN_FDS/LISTEN_PID exactly as systemd does for
// bia-helper.socket (sd_listen_fds(3)), and the helper must serve it, leave
// its file in place when it ends, and reject what it cannot serve.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';

const main = join(packageRoot, 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'bia-activation-'));
const children: ChildProcess[] = [];

// Plays systemd: binds and listens on SOCKET, then (at once, or with "lazy"
// once a client connects) starts the helper as its child with the socket at
// fd 3, LISTEN_FDS=N and LISTEN_PID set to the helper's pid (or to PID when
// one is given), and stays, holding the socket too; it exits with the
// helper's status.
const SYSTEMD = String.raw`
import os, select, socket, sys
path, fds, pid, node, main, when = sys.argv[1:7]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(16)
print("listening", flush=True)
if when == "lazy":
    select.select([s], [], [])
child = os.fork()
if child == 0:
    os.dup2(s.fileno(), 3)
    os.set_inheritable(3, True)   # dup2 onto itself keeps Python's close-on-exec
    os.environ["LISTEN_FDS"] = fds
    os.environ["LISTEN_PID"] = pid or str(os.getpid())
    os.execv(node, [node, main, "helper"])
print("helper pid", child, flush=True)
_, status = os.waitpid(child, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`;

function env(name: string): NodeJS.ProcessEnv {
  const dir = join(work, name);
  mkdirSync(join(dir, 'run'), { recursive: true, mode: 0o700 });
  // BIA_ALLOW_ROOT: these tests run as root in CI, which the helper refuses unless told.
  return { PATH: process.env.PATH, HOME: dir, XDG_RUNTIME_DIR: join(dir, 'run'), XDG_STATE_HOME: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config'), BIA_ALLOW_ROOT: '1' };
}

function activated(socket: string, e: NodeJS.ProcessEnv, fds = '1', pid = '', when = 'now'): ChildProcess & { output: () => string } {
  const child = spawn('python3', ['-c', SYSTEMD, socket, fds, pid, process.execPath, main, when], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

function bia(e: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { env: e, encoding: 'utf8', timeout: 30_000 });
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen`);
}

afterAll(() => {
  // A failed case leaves the helper the fake systemd started: kill it too.
  for (const c of children) {
    for (const [, pid] of ((c as { output?: () => string }).output?.() ?? '').matchAll(/^helper pid (\d+)$/gm)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (c.exitCode === null) c.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
});

describe('bia helper with a socket passed by systemd (LISTEN_FDS)', () => {
  it('serves the inherited socket: bia status, bia run and bia stop find it; it leaves the socket file when it ends', async () => {
    const e = env('ok');
    const socket = join(e.XDG_RUNTIME_DIR!, 'bia', 'helper.sock');
    mkdirSync(join(socket, '..'), { mode: 0o700 });
    const systemd = activated(socket, e);
    await until('the helper answering', () => bia(e, 'status').status === 0);
    await until('the log line', () => systemd.output().includes('listening on'));
    const helperPid = Number(/^helper pid (\d+)$/m.exec(systemd.output())![1]);
    expect(helperPid).not.toBe(systemd.pid);
    expect(systemd.output()).toMatch(new RegExp(`bia-helper\\[${helperPid}\\] info: listening on ${socket} \\(fd 3 from systemd\\)`));

    // SO_PEERCRED names the process that called listen(), systemd; bia must name the helper.
    expect(bia(e, 'status').stdout).toMatch(new RegExp(`^helper: +running, pid ${helperPid}$`, 'm'));
    const run = bia(e, 'run', '--', 'sh', '-c', 'echo "socket $BIA_SOCKET"');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`socket ${socket}`);

    const stopped = bia(e, 'stop');
    expect(stopped.status, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain(`bia: stopped the helper (pid ${helperPid}); systemd starts it again`);
    expect(await exited(systemd), 'the helper ended by SIGTERM exits 0').toBe(0);
    expect(existsSync(socket), "systemd's socket file stays").toBe(true);
  });

  it('starts on the first connection: bia status, connecting to what systemd listened on, names the helper systemd then starts', async () => {
    const e = env('lazy');
    const socket = join(e.XDG_RUNTIME_DIR!, 'bia', 'helper.sock');
    mkdirSync(join(socket, '..'), { mode: 0o700 });
    const systemd = activated(socket, e, '1', '', 'lazy');
    await until('systemd listening', () => systemd.output().includes('listening'));
    expect(systemd.output()).not.toContain('helper pid');
    const status = bia(e, 'status');
    await until('the helper started', () => systemd.output().includes('helper pid'));
    const helperPid = Number(/^helper pid (\d+)$/m.exec(systemd.output())![1]);
    expect(status.stdout, status.stderr).toMatch(new RegExp(`^helper: +running, pid ${helperPid}$`, 'm'));
    expect(bia(e, 'stop').status).toBe(0);
    expect(await exited(systemd)).toBe(0);
  });

  it('warns when the socket is not where programs look for the helper', async () => {
    const e = env('elsewhere');
    const systemd = activated(join(work, 'elsewhere', 'other.sock'), e);
    await until('the helper started', () => systemd.output().includes('listening on'));
    expect(systemd.output()).toContain(`but programs look for the helper at ${join(e.XDG_RUNTIME_DIR!, 'bia', 'helper.sock')}`);
    process.kill(Number(/^helper pid (\d+)$/m.exec(systemd.output())![1]), 'SIGTERM');
    expect(await exited(systemd)).toBe(0);
  });

  it('ignores fds meant for another process, and creates its own socket', async () => {
    const e = env('other-pid');
    const systemd = activated(join(work, 'other-pid', 'passed.sock'), e, '1', '1');
    await until('the helper answering', () => bia(e, 'status').status === 0);
    await until('the log line', () => systemd.output().includes('listening on'));
    expect(systemd.output()).toMatch(/listening on \S+\/run\/bia\/helper\.sock; pool/);
    expect(bia(e, 'stop').status).toBe(0);
    expect(await exited(systemd)).toBe(0);
    expect(existsSync(join(e.XDG_RUNTIME_DIR!, 'bia', 'helper.sock')), 'its own socket is removed').toBe(false);
  });

  it('refuses more than one socket or a bad LISTEN_FDS: exit 78, naming the variable', async () => {
    for (const fds of ['2', 'x']) {
      const e = env(`bad-${fds}`);
      const systemd = activated(join(work, `bad-${fds}`, 'passed.sock'), e, fds);
      expect(await exited(systemd)).toBe(78);
      expect(systemd.output()).toContain(`bia: LISTEN_FDS=${fds}:`);
    }
  });
});
