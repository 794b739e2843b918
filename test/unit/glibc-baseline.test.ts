// The oldest glibc the preload library loads into is decided by the newest
// symbol version it references. docs/install.md states it; this keeps the
// statement true when a hook starts using a newer libc function. The
// cross-compiled linux-arm64 build is held to the same number by
// test/e2e/prebuild-cross.test.ts.
import { describe, expect, it } from 'vitest';
import { preloadLibrary } from '../../src/preload-path.js';
import { DOCUMENTED_GLIBC, elfMachine, newestGlibcVersion } from '../support/elf.js';

describe('glibc baseline of the preload library', () => {
  it(`needs glibc ${DOCUMENTED_GLIBC}, as docs/install.md says`, () => {
    const library = preloadLibrary();
    expect(library, 'libbia.so is not built: npm run build').toBeDefined();
    expect(elfMachine(library!)).toBe(process.arch);
    expect(newestGlibcVersion(library!)).toBe(DOCUMENTED_GLIBC);
  });
});
