// Where bia's compiled files are: the prebuilt ones shipped for this
// platform, else the ones `npm install` compiled from source.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

function builtFile(name: string): string | undefined {
  const candidates = [
    ['prebuilds', `${process.platform}-${process.arch}`, name],
    ['build', 'Release', name],
  ];
  return candidates.map((parts) => join(packageRoot, ...parts)).find((p) => existsSync(p));
}

/** The preload library (libbia.so). launcher/package.c picks it the same way. */
export function preloadLibrary(): string | undefined {
  return builtFile('libbia.so');
}

/** The preload library built for musl (scripts/musl-preload.mjs), for
 * dynamically linked musl programs; preload/core/exec/supervise.c looks
 * in the same places, relative to libbia.so. */
export function muslPreloadLibrary(): string | undefined {
  const candidates = [
    ['prebuilds', `${process.platform}-${process.arch}-musl`, 'libbia.so'],
    ['build', 'Release', 'musl', 'libbia.so'],
  ];
  return candidates.map((parts) => join(packageRoot, ...parts)).find((p) => existsSync(p));
}

/** The native `bia` launcher (launcher/), which scripts/install.mjs makes the `bia` command. */
export function nativeLauncher(): string | undefined {
  return builtFile('bia');
}

/** The seccomp supervisor (supervisor/) for programs the preload cannot reach. */
export function supervisorProgram(): string | undefined {
  return builtFile('bia-supervise');
}

/** The Node CLI's entry point: what the native launcher runs for all but a plain `bia run`. */
export const CLI_MAIN = join(packageRoot, 'dist', 'cli', 'main.js');
