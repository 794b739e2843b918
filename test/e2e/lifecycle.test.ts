// A user's whole round with bia's lifecycle: `bia uninstall` leaves no
// helper and no unit behind and says what it kept; the units start the
// `bia` found on their PATH (no path into one installation); a helper
// whose package was deleted under it notices and exits; one whose package
// was upgraded under it is reported by bia status and bia doctor.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../../src/client.js';
import { MsgType } from '../../src/wire/messages.js';
import { packageRoot } from '../../src/package-root.js';
import { CLI_MAIN } from '../../src/preload-path.js';
import { alive } from '../../src/cli/stop.js';

const work = mkdtempSync(join(tmpdir(), 'bia-uninstall-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** A user of their own: HOME, XDG directories, a resolv.conf that answers at once; BIA_ALLOW_ROOT for CI's root. */
function user(name: string): NodeJS.ProcessEnv {
  const dir = join(work, name);
  mkdirSync(join(dir, 'run'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  return { PATH: process.env.PATH, HOME: dir, XDG_RUNTIME_DIR: join(dir, 'run'), XDG_STATE_HOME: join(dir, 'state'), XDG_CONFIG_HOME: join(dir, 'config'), BIA_ALLOW_ROOT: '1', BIA_RESOLV_CONF: join(dir, 'resolv.conf') };
}

function bia(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, [CLI_MAIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
}

async function answers(socket: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      await request(socket, { type: MsgType.Hello, id: 1 }, 500);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return false;
}

async function exits(child: ChildProcess, withinMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** A copy of the package to delete or upgrade; its dependencies and binaries are this checkout's. */
function packageCopy(name: string): string {
  const copy = join(work, name, 'pkg');
  mkdirSync(copy);
  cpSync(join(packageRoot, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(packageRoot, 'package.json'), join(copy, 'package.json'));
  for (const d of ['node_modules', 'build']) symlinkSync(join(packageRoot, d), join(copy, d));
  return copy;
}

describe('bia uninstall and the units over upgrades', () => {
  it('stops the helper, removes the units, and says what it kept and how to remove it', () => {
    const env = user('round');
    const on = bia(env, 'env', '--shell', 'sh');
    try {
      expect(on.status, on.stderr).toBe(0);
      const pid = Number(on.stdout.match(/^echo 'bia: started a helper, pid (\d+)/m)?.[1]);
      expect(alive(pid), on.stdout).toBe(true);
      expect(bia(env, 'install', '--user').status).toBe(0);
      const units = join(env.XDG_CONFIG_HOME!, 'systemd', 'user');
      mkdirSync(join(env.XDG_CONFIG_HOME!, 'bia'));
      writeFileSync(join(env.XDG_CONFIG_HOME!, 'bia', 'config.json'), '{}');

      const off = bia(env, 'uninstall');
      expect(off.status, off.stderr).toBe(0);
      expect(alive(pid)).toBe(false);
      expect(existsSync(join(units, 'bia-helper.service'))).toBe(false);
      expect(existsSync(join(units, 'bia-helper.socket'))).toBe(false);
      expect(off.stdout).toContain(`bia: stopped the helper (pid ${pid})`);
      expect(off.stdout).toContain(`rm -r '${join(env.XDG_CONFIG_HOME!, 'bia')}' '${join(env.XDG_STATE_HOME!, 'bia')}'`);
      expect(existsSync(join(env.XDG_STATE_HOME!, 'bia', 'helper.log'))).toBe(true);
      // Nothing left to do: still success, and says so.
      const again = bia(env, 'uninstall', '--user');
      expect(again.status).toBe(0);
      expect(again.stderr).toContain('nothing to remove');
    } finally {
      bia(env, 'stop');
    }
  });

  it('writes units that run the bia on their PATH, so they start the helper as systemd would', async () => {
    const env = user('units');
    // Where npm links the command (prefix/bin), as a user's PATH has it.
    const linkDir = join(work, 'units', 'prefix-bin');
    mkdirSync(linkDir);
    symlinkSync(join(packageRoot, 'bin', 'bia'), join(linkDir, 'bia'));
    expect(bia({ ...env, PATH: `${linkDir}:${process.env.PATH}` }, 'install', '--user').status).toBe(0);
    const unit = readFileSync(join(env.XDG_CONFIG_HOME!, 'systemd', 'user', 'bia-helper.service'), 'utf8');
    expect(unit).not.toContain(packageRoot);
    expect(unit).toContain('ExecStart="/usr/bin/env" "bia" "helper"\n');
    // Run ExecStart with the unit's Environment= and what systemd's user manager sets.
    const words = [...unit.match(/^Environment=(.*)$/m)![1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
    const unitEnv = Object.fromEntries(words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    expect(unitEnv.PATH.split(':')[0]).toBe(linkDir);
    const helper = spawn('/usr/bin/env', ['bia', 'helper'], { env: { ...unitEnv, HOME: env.HOME, XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR, XDG_STATE_HOME: env.XDG_STATE_HOME, BIA_ALLOW_ROOT: '1', BIA_RESOLV_CONF: env.BIA_RESOLV_CONF }, stdio: 'ignore' });
    children.push(helper);
    expect(await answers(join(env.XDG_RUNTIME_DIR!, 'bia', 'helper.sock'), 10_000)).toBe(true);
    helper.kill('SIGTERM');
    expect(await exits(helper, 5000)).toBe(true);
  }, 30_000);

  it('a helper whose package is deleted under it notices and exits', async () => {
    const env = user('deleted');
    const copy = packageCopy('deleted');
    const socket = join(env.XDG_RUNTIME_DIR!, 'bia', 'helper.sock');
    const helper = spawn(process.execPath, [join(copy, 'dist', 'cli', 'main.js'), 'helper'], { env: { ...env, BIA_INSIDE_HELPER: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(helper);
    let log = '';
    helper.stderr!.on('data', (d) => (log += d));
    expect(await answers(socket, 10_000)).toBe(true);
    rmSync(copy, { recursive: true });
    expect(await exits(helper, 10_000), log).toBe(true);
    expect(helper.exitCode).toBe(0);
    expect(log).toContain(`${join(copy, 'dist', 'cli', 'main.js')} is gone (bia was uninstalled or moved); stopping`);
    expect(existsSync(socket)).toBe(false);
  }, 30_000);

  it('bia status and bia doctor say when the helper is older than the installed bia, and how to restart it', async () => {
    const env = user('older');
    const copy = packageCopy('older');
    const main = join(copy, 'dist', 'cli', 'main.js');
    const run = (file: string, ...args: string[]) => spawnSync(process.execPath, [file, ...args], { env, encoding: 'utf8', timeout: 30_000 });
    try {
      expect(run(main, 'env', '-q').status).toBe(0);
      const current = run(main, 'status');
      expect(current.stdout, current.stderr).toMatch(/^helper: +running/m);
      expect(current.stdout).not.toMatch(/^older:/m);
      // An upgrade in place: npm writes the package's files anew.
      await new Promise((r) => setTimeout(r, 1500));
      const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8'));
      writeFileSync(join(copy, 'package.json.new'), JSON.stringify({ ...pkg, version: '9.9.9' }));
      renameSync(join(copy, 'package.json.new'), join(copy, 'package.json'));
      const status = run(main, 'status');
      expect(status.stdout).toMatch(/^older: +the helper \(pid \d+\) is older than the installed bia 9\.9\.9 \(written .*\); to restart it: bia stop \(the next bia run or bia env starts the installed bia\)$/m);
      expect(JSON.parse(run(main, 'status', '--json').stdout).helper.stale.what).toContain('older than the installed bia 9.9.9');
      expect(run(main, 'doctor').stdout).toMatch(/^note +the helper \(pid \d+\) is older than the installed bia 9\.9\.9.*\n +fix: restart it: bia stop/m);
      // Another installation's bia sees a helper that is not its own.
      expect(run(CLI_MAIN, 'status').stdout).toContain(`runs the bia in ${copy}, not this one`);
    } finally {
      run(main, 'stop');
    }
  }, 60_000);
});
