import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requireLibrary, withLibrary, withoutLibrary } from '../../src/cli/preload-env.js';
import { shellQuote } from '../../src/cli/shell-syntax.js';

describe('LD_PRELOAD editing', () => {
  it('puts the library first, once, keeping the other entries', () => {
    expect(withLibrary('/b/libbia.so', undefined)).toBe('/b/libbia.so');
    expect(withLibrary('/b/libbia.so', '/x.so:/b/libbia.so /y.so')).toBe('/b/libbia.so /x.so /y.so');
  });

  it('keeps a sanitizer runtime given with the library before it', () => {
    expect(withLibrary('/r/libasan.so /b/libbia.so', '/x.so /r/libasan.so')).toBe('/r/libasan.so /b/libbia.so /x.so');
    expect(withoutLibrary('/r/libasan.so /b/libbia.so', '/r/libasan.so /b/libbia.so /x.so')).toBe('/x.so');
  });

  it('takes BIA_PRELOAD_LIBRARY only as absolute paths to existing files', () => {
    expect(requireLibrary({ BIA_PRELOAD_LIBRARY: '/bin/sh:/bin/true' })).toBe('/bin/sh /bin/true');
    for (const bad of ['relative.so', '/no/such/libbia.so', ' ', '/bin/sh ../x.so']) {
      expect(() => requireLibrary({ BIA_PRELOAD_LIBRARY: bad }), bad).toThrow(/BIA_PRELOAD_LIBRARY/);
    }
  });

  it('takes the library out, and says when nothing is left', () => {
    expect(withoutLibrary('/b/libbia.so', '/b/libbia.so /x.so')).toBe('/x.so');
    expect(withoutLibrary('/b/libbia.so', '/b/libbia.so')).toBeUndefined();
  });
});

describe('shellQuote', () => {
  it('survives a real shell, whatever the value holds', () => {
    const nasty = `it's $HOME \`id\` "q" \\ ;|&\n*`;
    const out = spawnSync('sh', ['-c', `printf %s ${shellQuote(nasty)}`]).stdout.toString();
    expect(out).toBe(nasty);
  });
});
