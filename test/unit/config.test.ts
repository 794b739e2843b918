import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveConfig } from '../../src/config/effective.js';
import { configPath, parseConfig } from '../../src/config/file.js';

function envWithConfig(text: string): NodeJS.ProcessEnv {
  const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'bia-config-')), XDG_RUNTIME_DIR: '/run/user/1000' };
  mkdirSync(dirname(configPath(env)));
  writeFileSync(configPath(env), text);
  return env;
}

describe('config file', () => {
  it('reads every key', () => {
    const text = '{"network": "ipv6-only", "pool": "10.64.0.0/16", "logLevel": "debug", "socket": "/tmp/b.sock", "timeoutMs": 500, "resolveTimeoutMs": 3000}';
    expect(parseConfig(text, 'c.json')).toEqual({ network: 'ipv6-only', pool: '10.64.0.0/16', logLevel: 'debug', socket: '/tmp/b.sock', timeoutMs: 500, resolveTimeoutMs: 3000 });
  });

  it('names the file, line and key of a bad value', () => {
    expect(() => parseConfig('{\n  "pool": "198.18.0.0/15",\n  "network": "ipv5"\n}', 'c.json')).toThrow('c.json:3: "network" must be one of auto, dual, ipv6-only, ipv4-only (got "ipv5")');
    expect(() => parseConfig('{\n  "timeoutMs": "fast"\n}', 'c.json')).toThrow(/^c\.json:2: "timeoutMs" must be whole milliseconds/);
    expect(() => parseConfig('{\n  "socket": "relative.sock"\n}', 'c.json')).toThrow(/c\.json:2: "socket" must be an absolute path/);
  });

  it('rejects unknown keys (typos) and says which ones exist', () => {
    expect(() => parseConfig('{\n\n  "netwrok": "dual"\n}', 'c.json')).toThrow(/^c\.json:3: unknown key "netwrok" \(known keys: network, pool/);
  });

  it('reports broken JSON with its line', () => {
    expect(() => parseConfig('{\n  "network": "dual",\n  oops\n}', 'c.json')).toThrow(/^c\.json:3: not valid JSON/);
    expect(() => parseConfig('["dual"]', 'c.json')).toThrow(/c\.json:1: expected a JSON object/);
  });
});

describe('effective config', () => {
  it('takes flag over env over file over default, and says where each value came from', () => {
    const env = {
      ...envWithConfig('{"network": "dual", "pool": "10.64.0.0/16", "timeoutMs": 500, "quotaPerUser": 900, "nat64": "off"}'),
      BIA_NETWORK: 'ipv4-only',
      BIA_POOL: '10.99.0.0/16',
      BIA_QUOTA_PER_PROCESS: '7',
      BIA_NAT64: '64:ff9b::/96',
    };
    const e = effectiveConfig(new Map([['--network', 'ipv6-only'], ['--pool-scope', 'process']]), env);
    expect(e.config).toEqual({
      network: 'ipv6-only',
      pool: '10.99.0.0/16',
      nat64: '64:ff9b::/96',
      timeoutMs: 500,
      resolveTimeoutMs: 8000,
      socket: '/run/user/1000/bia/helper.sock',
      systemSocket: '/run/bia/helper.sock',
      logLevel: undefined,
      synth: 'mapped',
      synthPrefix: undefined,
      planeId: 0,
      poolScope: 'process',
      quotaPerProcess: 7,
      quotaPerUser: 900,
      ratePerProcess: 100,
      ratePerUser: 1000,
      ftpPorts: '21',
    });
    expect(e.sources).toEqual({
      network: 'flag',
      pool: 'env',
      nat64: 'env',
      timeoutMs: 'file',
      resolveTimeoutMs: 'default',
      socket: 'default',
      systemSocket: 'default',
      logLevel: 'default',
      synth: 'default',
      synthPrefix: 'default',
      planeId: 'default',
      poolScope: 'flag',
      quotaPerProcess: 'env',
      quotaPerUser: 'file',
      ratePerProcess: 'default',
      ratePerUser: 'default',
      ftpPorts: 'default',
    });
  });

  it('takes the synthesis format, prefix and plane ID together, and refuses ones that do not fit', () => {
    const env = { XDG_CONFIG_HOME: '/nonexistent', BIA_SYNTH: 'm46a', BIA_PLANE_ID: '7' };
    const e = effectiveConfig(new Map([['--synth-prefix', '2001:db8:46::/64']]), env);
    expect(e.config).toMatchObject({ synth: 'm46a', synthPrefix: '2001:db8:46::/64', planeId: 7 });
    expect(e.sources).toMatchObject({ synth: 'env', synthPrefix: 'flag', planeId: 'env' });
    expect(() => effectiveConfig(new Map([['--synth', 'prefix'], ['--synth-prefix', '64:ff9b::/64']]), env)).toThrow(/synth prefix with synthPrefix 64:ff9b::\/64: the prefix format needs a \/96 prefix/);
    expect(() => effectiveConfig(new Map([['--synth', 'nat64']]), env)).toThrow(/--synth=nat64: expected one of mapped, prefix, m46a, pool/);
    expect(() => effectiveConfig(new Map([['--plane-id', '-1']]), env)).toThrow(/--plane-id=-1/);
  });

  it('has sensible defaults with no file at all', () => {
    const e = effectiveConfig(new Map(), { XDG_CONFIG_HOME: '/nonexistent', XDG_RUNTIME_DIR: '/run/user/7' });
    expect(e.config).toMatchObject({ network: 'auto', pool: '198.18.0.0/15', socket: '/run/user/7/bia/helper.sock' });
    expect(e.file).toBe('/nonexistent/bia/config.json');
  });

  it('names the variable or flag whose value is bad', () => {
    expect(() => effectiveConfig(new Map(), { XDG_CONFIG_HOME: '/nonexistent', BIA_TIMEOUT_MS: '0' })).toThrow('BIA_TIMEOUT_MS=0: expected whole milliseconds, 1..600000');
    expect(() => effectiveConfig(new Map([['--pool', 'ten']]), { XDG_CONFIG_HOME: '/nonexistent' })).toThrow(/--pool=ten: expected an IPv4 network/);
    expect(() => effectiveConfig(new Map([['--nat64', '64:ff9b::/95']]), { XDG_CONFIG_HOME: '/nonexistent' })).toThrow(/--nat64=64:ff9b::\/95: expected auto, off or a NAT64 prefix/);
    expect(() => effectiveConfig(new Map([['--pool-scope', 'galaxy']]), { XDG_CONFIG_HOME: '/nonexistent' })).toThrow('--pool-scope=galaxy: expected one of host, user, process');
    expect(() => effectiveConfig(new Map(), { XDG_CONFIG_HOME: '/nonexistent', BIA_RATE_PER_USER: '0' })).toThrow(/BIA_RATE_PER_USER=0: expected a whole number/);
  });
});
