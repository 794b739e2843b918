import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PRELOAD_SETTING_NAMES, preloadVariables, requireLibrary, withLibrary, withoutLibrary, type PreloadSettings } from '../../src/cli/preload-env.js';
import { DEFAULTS } from '../../src/config/schema.js';
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

describe('the variables a program gets', () => {
  // A helper's HELLO: the mapped format, the default pool.
  const hello = { network: 1, pool: '198.18.0.0', poolLen: 15, ttl: 2, synth: { format: 1, prefix: '::ffff:0:0', prefixLen: 96, plane: 0 } } as Parameters<typeof preloadVariables>[2];
  const settings: PreloadSettings = { ...DEFAULTS, socket: '/run/user/1000/bia/helper.sock' };

  it('are the socket and the HELLO, plus each setting the preload reads that is not the default; bia env --off unsets them all', () => {
    const plain = preloadVariables('/b/libbia.so', settings, hello, undefined);
    expect(plain).toEqual({
      LD_PRELOAD: '/b/libbia.so',
      BIA_SOCKET: settings.socket,
      BIA_POOL: '198.18.0.0/15',
      BIA_SYNTH: 'mapped',
      BIA_SYNTH_PREFIX: '::ffff:0:0/96',
      BIA_PLANE_ID: '0',
    });
    const changed = { ...settings, network: 'dual', logLevel: 'debug', timeoutMs: 900, resolveTimeoutMs: 700, logFile: '/tmp/bia.log', ftpPorts: '21,8021' } as const;
    const all = preloadVariables('/b/libbia.so', changed, hello, undefined);
    expect(all).toEqual({ ...plain, BIA_NETWORK: 'dual', BIA_LOG: 'debug', BIA_TIMEOUT_MS: '900', BIA_RESOLVE_TIMEOUT_MS: '700', BIA_LOG_FILE: '/tmp/bia.log', BIA_FTP_PORTS: '21,8021' });
    expect([...PRELOAD_SETTING_NAMES, 'LD_PRELOAD'].sort()).toEqual(Object.keys(all).sort());
  });
});

describe('shellQuote', () => {
  it('survives a real shell, whatever the value holds', () => {
    const nasty = `it's $HOME \`id\` "q" \\ ;|&\n*`;
    const out = spawnSync('sh', ['-c', `printf %s ${shellQuote(nasty)}`]).stdout.toString();
    expect(out).toBe(nasty);
  });
});
