#!/usr/bin/env node
// npm's "install" step. bia ships three binaries: the addon
// (bia_native.node), the preload library (libbia.so) and the native `bia`
// launcher (launcher/). node-gyp-build alone would only look for the
// addon's prebuild and skip compiling when it is there, leaving a package
// without the other two; so this checks all three, and compiles from
// source (node-gyp rebuild, needs a C/C++ compiler) when one is missing.
// The places looked at are the ones src/native.ts (via node-gyp-build) and
// src/preload-path.ts load from.
//
// Then, in a package npm installed, the launcher takes the place of the
// Node script bin/bia, which npm has linked as the `bia` command: `bia run`
// then starts programs without Node's start-up time (docs/install.md).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeGypEnv } from './node-headers.mjs';

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

function built(name) {
  return [join(root, 'prebuilds', `${process.platform}-${process.arch}`, name), join(root, 'build', 'Release', name)].find((p) => existsSync(p));
}

// Only npm links bin/bia itself (a symbolic link): yarn and pnpm write shell
// shims that run `node bin/bia`, which must stay a script. A development
// checkout (not under node_modules) keeps its tracked script too.
function installedByNpm() {
  return (process.env.npm_config_user_agent ?? '').startsWith('npm/') && root.split(sep).includes('node_modules');
}

// Copied then renamed: the link npm made points at the file name, and a
// `bia` starting meanwhile sees either the old file or the new one whole.
function installLauncher() {
  const launcher = built('bia');
  if (!launcher || !installedByNpm()) return;
  const bin = join(root, 'bin', 'bia');
  const staged = `${bin}.${process.pid}`;
  copyFileSync(launcher, staged);
  chmodSync(staged, 0o755);
  renameSync(staged, bin);
}

// BIA_BUILD_FROM_SOURCE=1 compiles even over prebuilt binaries. node-gyp-build's
// `npm install --build-from-source` is honoured too, but npm 11 warns that it
// does not know that setting.
const fromSource = process.env.BIA_BUILD_FROM_SOURCE === '1' || process.env.npm_config_build_from_source === 'true';
if (fromSource || !hasAddon() || !built('libbia.so') || !built('bia') || !built('bia-supervise')) {
  // npm puts its own node-gyp on PATH while it runs install scripts.
  const r = spawnSync('node-gyp', ['rebuild'], { cwd: root, stdio: 'inherit', env: { ...process.env, ...nodeGypEnv() } });
  if (r.error) console.error(`bia: cannot run node-gyp to compile the native parts: ${r.error.message}`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
installLauncher();
