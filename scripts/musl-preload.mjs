#!/usr/bin/env node
// The preload library built for musl (Alpine's C library), for dynamically
// linked musl programs: the same sources as libbia.so, compiled with
// musl-gcc (Debian's musl-tools) against musl's headers, with the kernel's
// own headers (linux/, asm/) after them, which musl does not ship.
//
//   node scripts/musl-preload.mjs [--optional] OUT
//
// --optional: without musl-gcc, say so and build nothing (node-gyp's
// build runs this for build/Release/musl/libbia.so; bia then runs musl
// programs under the supervisor). scripts/prebuild.mjs runs it for the
// linux-<arch>-musl prebuild. This machine's architecture only: musl-gcc
// is no cross compiler.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources() {
  const dirs = ['preload/hooks', ...readdirSync(join(root, 'preload/core')).map((d) => `preload/core/${d}`)];
  return dirs.flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.c')).map((f) => join(root, d, f)));
}

function run(cmd, args) {
  return spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
}

/** Builds the musl preload at out; returns why not, or undefined. */
export function buildMuslPreload(out) {
  if (run('sh', ['-c', 'command -v musl-gcc']).status !== 0) return 'musl-gcc is missing (apt-get install musl-tools)';
  const contract = run(process.execPath, [join(root, 'scripts/gen-contract.mjs')]).stdout.trim();
  const multiarch = run('gcc', ['-print-multiarch']).stdout.trim();
  mkdirSync(dirname(out), { recursive: true });
  const r = run('musl-gcc', [
    '-std=gnu11', '-Wall', '-Wextra', '-O2', '-fPIC', '-fvisibility=hidden', '-shared',
    `-I${contract}`, '-Ipreload/include', '-Ipreload/core',
    '-idirafter', '/usr/include', ...(multiarch ? ['-idirafter', `/usr/include/${multiarch}`] : []),
    '-o', out, ...sources(),
  ]);
  if (r.status !== 0) return `musl-gcc failed:\n${r.stderr}`;
  if (r.stderr) process.stderr.write(r.stderr);
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const optional = args[0] === '--optional';
  const out = args[optional ? 1 : 0] && resolve(args[optional ? 1 : 0]);
  if (!out) {
    console.error('usage: node scripts/musl-preload.mjs [--optional] OUT');
    process.exit(2);
  }
  // node-gyp's build for another architecture (CC names its cross
  // compiler, scripts/prebuild.mjs): musl-gcc would build for this one.
  const cc = process.env.CC;
  if (optional && cc && cc !== 'cc' && cc !== 'gcc') {
    console.error(`bia: no musl preload in a cross build (CC=${cc})`);
    process.exit(0);
  }
  const why = buildMuslPreload(out);
  if (why) {
    console.error(`bia: no musl preload: ${why}${optional ? ' (musl programs run under the supervisor)' : ''}`);
    process.exit(optional && why.startsWith('musl-gcc is missing') ? 0 : 1);
  }
}
