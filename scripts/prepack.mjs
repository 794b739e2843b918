#!/usr/bin/env node
// npm pack's (and npm publish's) first step: the tarball carries the
// prebuilt binaries for linux-x64 and linux-arm64 (scripts/prebuild.mjs), so
// that installing it needs no compiler; `prepare` then compiles dist/. It
// refuses, saying why, when it cannot build them: a fresh clone without its
// dependencies, or no aarch64 cross compiler.
//
// They are built in a copy of the package: prebuildify compiles in the
// package's build/ for each architecture in turn and moves the addon out of
// it, which would leave a checkout's own build unusable. `postpack` runs
// this with --clean, removing prebuilds/ again, which the loaders would
// otherwise prefer to what the checkout compiles next.
//
// The copy has no src/, so the generated C header the binaries are compiled
// with (scripts/gen-contract.mjs) is made here first; the tarball carries it
// too, for an install that compiles without typescript.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const prebuilds = join(root, 'prebuilds');

function fail(message) {
  console.error(`bia: ${message}`);
  process.exit(1);
}

// What the build runs from node_modules: the compiler of dist/, the
// prebuild tool and the addon's headers.
function checkDependencies() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const needed = ['typescript', 'prebuildify', ...Object.keys(pkg.dependencies)];
  const missing = needed.filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
  if (missing.length) fail(`npm pack builds the package and needs its dependencies, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed: run npm install first`);
}

function generateContract() {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'gen-contract.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) fail('npm pack could not make the C header preload/include/bia_contract.h (above)');
}

function buildPrebuilds() {
  const stage = mkdtempSync(join(tmpdir(), 'bia-pack-'));
  try {
    for (const entry of ['package.json', 'binding.gyp', 'native', 'preload', 'launcher', 'supervisor', 'scripts']) cpSync(join(root, entry), join(stage, entry), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'));
    const r = spawnSync(process.execPath, [join(stage, 'scripts', 'prebuild.mjs'), '--arch', 'x64,arm64'], { cwd: stage, stdio: 'inherit' });
    if (r.status !== 0) fail('npm pack needs the prebuilt binaries of both architectures and could not build them (above)');
    rmSync(prebuilds, { recursive: true, force: true });
    cpSync(join(stage, 'prebuilds'), prebuilds, { recursive: true });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv.includes('--clean')) {
  rmSync(prebuilds, { recursive: true, force: true });
} else {
  if (process.platform !== 'linux') fail('the package is packed on Linux only (it ships Linux binaries)');
  checkDependencies();
  generateContract();
  buildPrebuilds();
}
