// The linux-arm64 prebuilt binaries, cross-compiled on this (x64) machine by
// `npm run build:prebuilds` with Debian's aarch64 toolchain: what they are
// built for, the glibc they need, and that they actually load, under
// qemu-user: the preload library answers a name from a helper
// (test/c/fake_helper.py) inside an arm64 program, and the addon loads.
// Built in a temporary copy of the package, so that the worktree's build/
// stays the host's. Outside CI a machine without the cross toolchain or
// qemu-user skips this with the reason; CI must run it (.ci/run installs them).
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { DOCUMENTED_GLIBC, elfMachine, newer, newestGlibcVersion } from '../support/elf.js';
import { skipWhen } from '../support/skip.js';

const TRIPLET = 'aarch64-linux-gnu';
const SYSROOT = `/usr/${TRIPLET}`;
const TOOLS = [`${TRIPLET}-gcc`, `${TRIPLET}-g++`, 'qemu-aarch64'];

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool]).status === 0;
}

const missing = process.arch !== 'x64' ? 'cross-compiling to arm64 is tested from x64 only'
  : TOOLS.filter((t) => !onPath(t)).map((t) => `${t} is not installed`).join(', ');
if (missing && process.env.CI && process.arch === 'x64') throw new Error(`CI must test the arm64 prebuilds, but: ${missing}`);

const work = mkdtempSync(join(tmpdir(), 'bia-cross-'));
const built = join(work, 'prebuilds', 'linux-arm64');
let helper: ChildProcess | undefined;

function check(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs an arm64 program under qemu-user; the environment is given to the program, not to qemu. */
function qemu(program: string, args: string[], env: Record<string, string>): SpawnSyncReturns<string> {
  const guestEnv = Object.entries(env).flatMap(([k, v]) => ['-E', `${k}=${v}`]);
  return spawnSync('qemu-aarch64', ['-L', SYSROOT, ...guestEnv, program, ...args], { encoding: 'utf8', timeout: 30_000 });
}

async function startHelper(socket: string): Promise<void> {
  helper = spawn('python3', [join(packageRoot, 'test/c/fake_helper.py'), socket, '--name', 'v6only.test=POOL,198.18.0.7,2001:db8::6'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(socket)) throw new Error('the fake helper did not come up');
}

beforeAll(async () => {
  if (missing) return;
  // src/ too: the build makes the C side's shared names from it (scripts/gen-contract.mjs).
  for (const e of ['binding.gyp', 'native', 'preload', 'launcher', 'supervisor', 'scripts', 'src', 'package.json']) cpSync(join(packageRoot, e), join(work, e), { recursive: true });
  symlinkSync(join(packageRoot, 'node_modules'), join(work, 'node_modules'));
  // The launcher finds its package by the Node CLI's entry point.
  mkdirSync(join(work, 'dist', 'cli'), { recursive: true });
  writeFileSync(join(work, 'dist', 'cli', 'main.js'), '');
  check(spawnSync('npm', ['run', 'build:prebuilds', '--', '--arch', 'arm64'], { cwd: work, encoding: 'utf8' }), 'npm run build:prebuilds -- --arch arm64');
  check(spawnSync(`${TRIPLET}-gcc`, ['-std=gnu11', '-Wall', '-Wextra', '-o', join(work, 'cross_load'), join(packageRoot, 'test/c/cross_load.c')], { encoding: 'utf8' }), 'cross-compiling cross_load.c');
  await startHelper(join(work, 'helper.sock'));
}, 300_000);

afterAll(() => {
  helper?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('linux-arm64 prebuilt binaries', skipWhen(missing), () => {
  it('are arm64 ELF objects needing the documented glibc, and are packed', () => {
    for (const file of ['bia.glibc.node', 'libbia.so', 'bia', 'bia-supervise']) expect(elfMachine(join(built, file)), file).toBe('arm64');
    expect(newestGlibcVersion(join(built, 'libbia.so'))).toBe(DOCUMENTED_GLIBC);
    expect(newer(newestGlibcVersion(join(built, 'bia.glibc.node')), DOCUMENTED_GLIBC), 'the addon needs no newer glibc').toBe(false);
    // The launcher is linked statically: it needs no glibc of the machine's.
    expect(spawnSync('readelf', ['-d', join(built, 'bia')], { encoding: 'utf8' }).stdout).toContain('There is no dynamic section');
    const packed = JSON.parse(check(spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: work, encoding: 'utf8' }), 'npm pack --dry-run')) as { files: { path: string }[] }[];
    const paths = packed[0]!.files.map((f) => f.path);
    expect(paths).toContain('prebuilds/linux-arm64/libbia.so');
    expect(paths).toContain('prebuilds/linux-arm64/bia.glibc.node');
    expect(paths).toContain('prebuilds/linux-arm64/bia');
  });

  it('load into an arm64 program under qemu-user: the preload answers from the helper, the addon loads', () => {
    const program = join(work, 'cross_load');
    const env = { BIA_SOCKET: join(work, 'helper.sock') };
    const control = qemu(program, [join(built, 'bia.glibc.node'), 'v6only.test', '198.18.0.7'], env);
    expect(control.status, 'without the preload the name is unknown').not.toBe(0);
    const r = qemu(program, [join(built, 'bia.glibc.node'), 'v6only.test', '198.18.0.7'], { ...env, LD_PRELOAD: join(built, 'libbia.so') });
    expect(r.stdout, r.stderr).toBe('addon: loaded\nresolve: v6only.test 198.18.0.7\n');
    expect(r.status).toBe(0);
  });

  it('launch a program under qemu-user: the launcher asks the helper and sets the environment', () => {
    // The program is the host's sh (qemu-user passes the exec to the
    // kernel), which ignores the arm64 library its ld.so cannot load.
    const env = { BIA_SOCKET: join(work, 'helper.sock'), PATH: process.env.PATH!, HOME: work, XDG_CONFIG_HOME: work };
    const r = qemu(join(built, 'bia'), ['run', '--', 'sh', '-c', 'echo "$LD_PRELOAD $BIA_POOL $BIA_SYNTH"'], env);
    expect(r.stdout, r.stderr).toBe(`${join(built, 'libbia.so')} 198.18.0.0/15 mapped\n`);
  });
});
