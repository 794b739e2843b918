#!/usr/bin/env node
// Produces the prebuilt binaries shipped in the npm package, under
// prebuilds/<platform>-<arch>/: prebuildify compiles the whole binding.gyp
// (addon and preload library) but packages only .node files, so the preload
// library is copied next to the addon here. The names are the ones
// node-gyp-build and src/preload-path.ts look for. Run it through npm
// (`npm run build:prebuilds`), which puts node-gyp on PATH.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const prebuildify = join(dirname(createRequire(import.meta.url).resolve('prebuildify/package.json')), 'bin.js');

// N-API: one addon for every Node version; built against the running Node's
// headers rather than the newest release's, so that no header download is needed.
const args = [prebuildify, '--napi', '--strip', '-t', `node@${process.versions.node}`];
const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

const target = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'libbia.so');
copyFileSync(join(root, 'build', 'Release', 'libbia.so'), target);
console.log(`bia: prebuilt binaries in ${dirname(target)}`);
