#!/usr/bin/env node
// Produces the prebuilt binaries shipped in the npm package, under
// prebuilds/linux-<arch>/: the addon (bia.glibc.node: prebuildify's name,
// tagged with the C library as node-gyp-build expects, so that it is not
// loaded on musl), the preload library
// (libbia.so, which prebuildify copies and strips along with the addon, as
// it does any shared library node-gyp leaves in build/Release) and the
// native launcher and the seccomp supervisor (bia, bia-supervise:
// executables, which prebuildify leaves alone: this script copies and
// strips them), and for this machine's architecture the preload built for
// musl (prebuilds/linux-<arch>-musl/libbia.so, scripts/musl-preload.mjs;
// needs musl-gcc). The names are the ones node-gyp-build,
// src/preload-path.ts and scripts/install.mjs look for.
//
//   node scripts/prebuild.mjs [--arch x64,arm64]     (default: both)
//
// An architecture other than this machine's is cross-compiled with Debian's
// cross toolchain (gcc-aarch64-linux-gnu g++-aarch64-linux-gnu, or
// gcc-x86-64-linux-gnu g++-x86-64-linux-gnu on an arm64 machine). Run it
// through npm (`npm run build:prebuilds`), which puts node-gyp on PATH.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGypEnv } from './node-headers.mjs';
import { buildMuslPreload } from './musl-preload.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const prebuildify = join(dirname(createRequire(import.meta.url).resolve('prebuildify/package.json')), 'bin.js');

// Node's arch name -> the GNU triplet prefix of its Debian cross tools.
const TRIPLETS = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

function fail(message) {
  console.error(`bia: ${message}`);
  process.exit(1);
}

function requestedArchs(argv) {
  const i = argv.indexOf('--arch');
  if (i >= 0 && !argv[i + 1]) fail('--arch needs a value, e.g. --arch arm64');
  const archs = i >= 0 ? argv[i + 1].split(',') : Object.keys(TRIPLETS);
  for (const arch of archs) if (!TRIPLETS[arch]) fail(`cannot build for ${arch}: only ${Object.keys(TRIPLETS).join(', ')}`);
  // This machine's own last, so that build/Release ends up loadable here.
  return archs.sort((a, b) => (a === process.arch) - (b === process.arch));
}

function onPath(command) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command]).status === 0;
}

// The compilers for arch, and the strip that understands its binaries.
function toolchain(arch) {
  if (arch === process.arch) return { env: {}, strip: 'strip' };
  const t = TRIPLETS[arch];
  if (!onPath(`${t}-gcc`) || !onPath(`${t}-g++`)) {
    const pkg = t.replace(/_/g, '-');
    fail(`cannot cross-compile for linux-${arch}: ${t}-gcc or ${t}-g++ is missing (apt-get install gcc-${pkg} g++-${pkg})`);
  }
  return { env: { CC: `${t}-gcc`, CXX: `${t}-g++`, AR: `${t}-ar` }, strip: `${t}-strip` };
}

// The launcher and the seccomp supervisor: executables, which prebuildify leaves alone.
function copyExecutable(dir, strip, name, what) {
  const built = join(root, 'build', 'Release', name);
  if (!existsSync(built)) fail(`node-gyp left no ${what} in ${built}`);
  copyFileSync(built, join(dir, name));
  chmodSync(join(dir, name), 0o755);
  if (spawnSync(strip, ['--strip-all', join(dir, name)], { stdio: 'inherit' }).status !== 0) fail(`${strip} failed on the ${what}`);
}

// N-API: one addon for every Node version; built against the running Node's
// headers rather than the newest release's, so that no header download is needed.
function build(arch) {
  const { env, strip } = toolchain(arch);
  const args = [prebuildify, '--napi', '--tag-libc', '--strip', '--strip-bin', strip, '--arch', arch, '-t', `node@${process.versions.node}`];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...nodeGypEnv(), ...env } });
  if (r.status !== 0) fail(`prebuildify for linux-${arch} failed`);
  const dir = join(root, 'prebuilds', `linux-${arch}`);
  copyExecutable(dir, strip, 'bia', 'launcher');
  copyExecutable(dir, strip, 'bia-supervise', 'supervisor');
  for (const file of ['bia.glibc.node', 'libbia.so']) if (!existsSync(join(dir, file))) fail(`prebuildify left no ${file} in ${dir}`);
  console.log(`bia: prebuilt binaries in ${dir}`);
  if (arch === process.arch) buildMusl(arch, strip);
}

// musl-gcc compiles for this machine only.
function buildMusl(arch, strip) {
  const file = join(root, 'prebuilds', `linux-${arch}-musl`, 'libbia.so');
  const why = buildMuslPreload(file);
  if (why) fail(`cannot build the musl preload for linux-${arch}-musl: ${why}`);
  if (spawnSync(strip, ['--strip-unneeded', file], { stdio: 'inherit' }).status !== 0) fail(`${strip} failed on the musl preload`);
  console.log(`bia: the musl preload in ${file}`);
}

if (process.platform !== 'linux') fail('prebuilt binaries are made on Linux only');
for (const arch of requestedArchs(process.argv.slice(2))) build(arch);
