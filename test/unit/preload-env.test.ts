import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { withLibrary, withoutLibrary } from '../../src/cli/preload-env.js';
import { shellQuote } from '../../src/cli/shell-quote.js';

describe('LD_PRELOAD editing', () => {
  it('puts the library first, once, keeping the other entries', () => {
    expect(withLibrary('/b/libbia.so', undefined)).toBe('/b/libbia.so');
    expect(withLibrary('/b/libbia.so', '/x.so:/b/libbia.so /y.so')).toBe('/b/libbia.so /x.so /y.so');
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
