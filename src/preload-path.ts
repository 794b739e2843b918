// Where the preload library (libbia.so) is: the prebuilt one shipped for
// this platform, else the one `npm install` compiled from source.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './lab/lab.js';

const CANDIDATES = [
  ['prebuilds', `${process.platform}-${process.arch}`, 'libbia.so'],
  ['build', 'Release', 'libbia.so'],
];

export function preloadLibrary(): string | undefined {
  return CANDIDATES.map((parts) => join(packageRoot, ...parts)).find((p) => existsSync(p));
}
