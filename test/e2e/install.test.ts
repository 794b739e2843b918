// Packing the package as `npm pack` does (its prepack builds the linux-x64
// and linux-arm64 binaries, and refuses in a checkout without its
// dependencies), then installing the tarball into a fresh user prefix on a
// machine with no compiler: the prebuilt binaries must be enough, and the
// `bia` command the native launcher. The package is staged in a temporary
// copy so that packing does not touch the worktree under the other tests.
// Dependencies come from a local registry (support/local-registry.ts) into
// an empty npm cache. Run as root, the install and bia run as nobody, in
// directories nobody owns.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { startLocalRegistry, type LocalRegistry } from '../support/local-registry.js';

const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string; files: string[] };
const work = mkdtempSync(join(tmpdir(), 'bia-install-'));
const stage = join(work, 'stage');
const noCompiler = join(work, 'bin');
const user = join(work, 'user');
const home = join(user, 'home');
const prefix = join(user, 'prefix');
const cache = join(user, 'npm-cache');
const NOBODY = 65534;
const dropRoot = process.getuid!() === 0;
const ARCHS = ['linux-x64', 'linux-arm64'];
let tarball = '';
let registry: LocalRegistry | undefined;
let refusal: SpawnSyncReturns<string>;

function check(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The package's own files as a clone has them (no prebuilds, no dist, no node_modules). */
function stagePackage(): void {
  mkdirSync(stage);
  const entries = [...pkg.files.filter((f) => f !== 'prebuilds' && f !== 'dist'), 'scripts', 'package.json', 'tsconfig.json', 'README.md'];
  for (const e of entries) cpSync(join(packageRoot, e), join(stage, e), { recursive: true });
}

function pack(): SpawnSyncReturns<string> {
  return spawnSync('npm', ['pack', '--pack-destination', work], { cwd: stage, encoding: 'utf8' });
}

/** A PATH with node, npm, sh and true only: no cc, make or python3 for node-gyp. */
function which(tool: string): string {
  const found = (process.env.PATH ?? '').split(':').map((d) => join(d, tool)).find((p) => existsSync(p));
  if (!found) throw new Error(`${tool} is not on PATH`);
  return realpathSync(found);
}

function binWithoutCompiler(): void {
  mkdirSync(noCompiler);
  for (const tool of ['node', 'npm', 'sh', 'true']) symlinkSync(which(tool), join(noCompiler, tool));
}

/** The user's HOME, runtime directory, install prefix and npm cache (empty). */
function userDirs(): void {
  mkdirSync(home, { recursive: true });
  mkdirSync(join(user, 'run'), { mode: 0o700 });
  mkdirSync(cache);
  if (!dropRoot) return;
  chmodSync(work, 0o755);
  check(spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, user], { encoding: 'utf8' }), 'chown');
}

/** Runs as the user (nobody when the tests run as root), with the stripped PATH. */
function bare(cmd: string, args: string[], extra: Record<string, string> = {}): SpawnSyncReturns<string> {
  const env = { HOME: home, XDG_RUNTIME_DIR: join(user, 'run'), PATH: noCompiler, ...extra };
  const [file, argv] = dropRoot ? [which('setpriv'), [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', cmd, ...args]] : [cmd, args];
  return spawnSync(file, argv, { env, encoding: 'utf8', timeout: 60_000 });
}

// npm 11's script approval (docs/install.md): without it npm warns, and
// may skip the install script. A tarball is approved by its absolute path.
const approves = spawnSync('npm', ['config', 'get', 'allow-scripts'], { encoding: 'utf8' }).stdout.trim() !== 'undefined';

function npmInstall(extra: Record<string, string> = {}): SpawnSyncReturns<string> {
  rmSync(prefix, { recursive: true, force: true });
  const approval = approves ? [`--allow-scripts=${tarball}`] : [];
  const args = ['install', '-g', ...approval, '--prefix', prefix, '--registry', registry!.url, '--cache', cache, '--no-audit', '--no-fund', tarball];
  return bare(join(noCompiler, 'npm'), args, extra);
}

beforeAll(async () => {
  stagePackage();
  refusal = pack();
  symlinkSync(join(packageRoot, 'node_modules'), join(stage, 'node_modules'));
  const packed = check(pack(), 'npm pack');
  tarball = join(work, packed.trim().split('\n').pop()!);
  binWithoutCompiler();
  userDirs();
  registry = await startLocalRegistry(packageRoot, join(work, 'registry'));
}, 600_000);

afterAll(() => {
  registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('refuses in a clone without its dependencies, and says to run npm install', () => {
    expect(refusal.status).not.toBe(0);
    expect(refusal.stderr).toContain('run npm install first');
  });

  it('ships the binaries of linux-x64 and linux-arm64 under the names node-gyp-build and the loaders look for, and leaves no prebuilds behind', () => {
    const listed = check(spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }), 'tar -t').split('\n');
    for (const arch of ARCHS) {
      for (const file of ['bia.glibc.node', 'libbia.so', 'bia', 'bia-supervise']) expect(listed, `${arch}/${file}`).toContain(`package/prebuilds/${arch}/${file}`);
    }
    expect(listed).toContain('package/dist/cli/main.js');
    expect(existsSync(join(stage, 'prebuilds')), 'postpack removes prebuilds/').toBe(false);
  });
});

describe('npm install -g into a user prefix, without a compiler', () => {
  it('cannot compile here: building from source fails (the control)', () => {
    expect(bare('sh', ['-c', 'command -v cc gcc g++ make python3']).status).not.toBe(0);
    if (dropRoot) expect(bare(join(noCompiler, 'node'), ['-p', 'process.getuid()']).stdout.trim()).toBe(String(NOBODY));
    const r = npmInstall({ BIA_BUILD_FROM_SOURCE: '1' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('gyp');
  });

  it('installs from the prebuilt binaries, quietly, and runs a program through the native launcher', () => {
    const install = npmInstall();
    check(install, 'npm install -g');
    expect(`${install.stdout}${install.stderr}`, 'nothing alarming').not.toMatch(/warn|error|gyp/i);
    const installed = join(prefix, 'lib', 'node_modules', 'bia');
    expect(existsSync(join(installed, 'build')), 'nothing was compiled').toBe(false);
    expect(existsSync(join(installed, 'test')), 'tests are not shipped').toBe(false);

    // The `bia` command is the prebuilt native launcher, which hands all
    // but a plain `bia run` to the Node CLI.
    const bia = join(prefix, 'bin', 'bia');
    expect(readFileSync(bia).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(readFileSync(bia)).toEqual(readFileSync(join(installed, 'prebuilds', `${process.platform}-${process.arch}`, 'bia')));
    expect(check(bare(bia, ['--version']), 'bia --version').trim()).toBe(`bia ${pkg.version}`);
    // No helper yet: the Node launcher starts one and runs the program as its child.
    const first = bare(bia, ['run', '--', 'sh', '-c', 'echo "$$ $LD_PRELOAD"']);
    const [firstPid, preload] = check(first, 'bia run').trim().split(' ');
    expect(preload).toBe(join(installed, 'prebuilds', `${process.platform}-${process.arch}`, 'libbia.so'));
    expect(Number(firstPid)).not.toBe(first.pid);
    // Now one answers: the launcher runs the program itself.
    const fast = bare(bia, ['run', '--', 'sh', '-c', 'echo "$$ $LD_PRELOAD"']);
    expect(check(fast, 'bia run, helper running').trim()).toBe(`${fast.pid} ${preload}`);
    check(bare(bia, ['stop']), 'bia stop');

    // The units find bia through npm's link on PATH, not in the package: an upgrade keeps them.
    check(bare(bia, ['install', '--user'], { PATH: `${join(prefix, 'bin')}:${noCompiler}` }), 'bia install --user');
    const unit = readFileSync(join(home, '.config', 'systemd', 'user', 'bia-helper.service'), 'utf8');
    expect(unit).toContain('ExecStart="/usr/bin/env" "bia" "helper"\n');
    expect(unit).toContain(`Environment="PATH=${join(prefix, 'bin')}:`);
    expect(unit).not.toContain(installed);
  });
});
