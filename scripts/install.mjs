#!/usr/bin/env node
// npm's "install" step. bia ships two binaries: the addon (bia_native.node)
// and the preload library (libbia.so). node-gyp-build alone would only look
// for the addon's prebuild and skip compiling when it is there, leaving a
// package without a preload library; so this checks both, and compiles from
// source (node-gyp rebuild, needs a C/C++ compiler) when either is missing.
// The places looked at are the ones src/native.ts (via node-gyp-build) and
// src/preload-path.ts load from.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build');

function hasAddon() {
  try {
    nodeGypBuild.path(root);
    return true;
  } catch {
    return false;
  }
}

function hasPreload() {
  const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'libbia.so');
  return existsSync(prebuilt) || existsSync(join(root, 'build', 'Release', 'libbia.so'));
}

// Same switch as node-gyp-build's: `npm install --build-from-source`.
const fromSource = process.env.npm_config_build_from_source === 'true';
if (!fromSource && hasAddon() && hasPreload()) process.exit(0);

// npm puts its own node-gyp on PATH while it runs install scripts.
const r = spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit' });
if (r.error) console.error(`bia: cannot run node-gyp to compile the native parts: ${r.error.message}`);
process.exit(r.status ?? 1);
