// The oldest glibc the preload library loads into is decided by the newest
// symbol version it references. docs/install.md states it; this keeps the
// statement true when a hook starts using a newer libc function.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { preloadLibrary } from '../../src/preload-path.js';

const DOCUMENTED_GLIBC = '2.34';

function newestGlibcVersion(library: string): string {
  const r = spawnSync('objdump', ['-T', library], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`objdump -T ${library} failed: ${r.error?.message ?? r.stderr}`);
  const versions = [...r.stdout.matchAll(/\(GLIBC_([0-9.]+)\)/g)].map((m) => m[1]!);
  const key = (v: string): number[] => v.split('.').map(Number);
  const newer = (a: string, b: string): boolean => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
    return false;
  };
  return versions.reduce((max, v) => (newer(v, max) ? v : max), '0');
}

describe('glibc baseline of the preload library', () => {
  it(`needs glibc ${DOCUMENTED_GLIBC}, as docs/install.md says`, () => {
    const library = preloadLibrary();
    expect(library, 'libbia.so is not built: npm run build').toBeDefined();
    expect(newestGlibcVersion(library!)).toBe(DOCUMENTED_GLIBC);
  });
});
