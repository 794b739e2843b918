// The oldest glibc the preload library loads into is decided by the newest
// symbol version it references. docs/install.md states it; this keeps the
// statement true when a hook starts using a newer libc function. The
// cross-compiled linux-arm64 build is held to the same number by
// test/e2e/prebuild-cross.test.ts. The real symbols (preload/core/runtime/real.def)
// are found by name with dlsym, which no symbol version records: each must
// exist in that glibc too, or its pointer is NULL there (real.h).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { preloadLibrary } from '../../src/preload-path.js';
import { DOCUMENTED_GLIBC, defaultGlibcVersions, elfMachine, libcOf, newer, newestGlibcVersion } from '../support/elf.js';

/** The names real.def lists: BIA_REAL(return type, name, (parameter types)). */
function realSymbols(): string[] {
  const def = readFileSync(new URL('../../preload/core/runtime/real.def', import.meta.url), 'utf8');
  return [...def.matchAll(/^BIA_REAL\([^,]+,\s*(\w+),/gm)].map((m) => m[1]!);
}

describe('glibc baseline of the preload library', () => {
  it(`needs glibc ${DOCUMENTED_GLIBC}, as docs/install.md says`, () => {
    const library = preloadLibrary();
    expect(library, 'libbia.so is not built: npm run build').toBeDefined();
    expect(elfMachine(library!)).toBe(process.arch);
    expect(newestGlibcVersion(library!)).toBe(DOCUMENTED_GLIBC);
  });

  it(`finds every real symbol of preload/core/runtime/real.def in glibc ${DOCUMENTED_GLIBC}`, () => {
    const library = preloadLibrary();
    expect(library, 'libbia.so is not built: npm run build').toBeDefined();
    const names = realSymbols();
    expect(names).toContain('connect');
    const versions = defaultGlibcVersions(libcOf(library!));
    const missing = names.filter((n) => !versions.has(n));
    const tooNew = names.filter((n) => versions.has(n) && newer(versions.get(n)!, DOCUMENTED_GLIBC));
    expect(missing, 'not defined by libc').toEqual([]);
    expect(tooNew.map((n) => `${n}@GLIBC_${versions.get(n)}`), `newer than glibc ${DOCUMENTED_GLIBC}`).toEqual([]);
  });
});
