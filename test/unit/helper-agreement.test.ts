// The comparison bia run and bia env make between the settings the user
// gave and the running helper's HELLO (src/cli/helper-agreement.ts).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { disagreement, requireAgreement } from '../../src/cli/helper-agreement.js';
import { helperFlags } from '../../src/cli/helper-command-line.js';
import { effectiveConfig } from '../../src/config/effective.js';
import { configPath } from '../../src/config/file.js';
import { synthParams } from '../../src/mapping/synth-format.js';
import { CliError, EXIT_CONFIG } from '../../src/exit-codes.js';
import { WireNetwork, type HelloBody } from '../../src/wire/messages.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An environment with no BIA_* settings and, when TEXT is given, that config file. */
function baseEnv(text?: string): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'bia-agreement-'));
  dirs.push(home);
  const env = { XDG_CONFIG_HOME: home, XDG_RUNTIME_DIR: '/run/user/1000' };
  if (text !== undefined) {
    mkdirSync(dirname(configPath(env)));
    writeFileSync(configPath(env), text);
  }
  return env;
}

function helloOf(format: 'mapped' | 'prefix' | 'm46a' | 'pool', prefix?: string, plane?: number, pool: [string, number] = ['198.18.0.0', 15]): HelloBody {
  return { network: WireNetwork.Ipv4Only, pool: pool[0], poolLen: pool[1], ttl: 30, synth: synthParams({ format, prefix, plane }) };
}

const MAPPED = helloOf('mapped');

function given(flags: Record<string, string> = {}, env: NodeJS.ProcessEnv = baseEnv()) {
  return effectiveConfig(new Map(Object.entries(flags)), env);
}

describe('a running helper against the settings given', () => {
  it('settings left at their defaults follow whatever the helper uses', () => {
    expect(disagreement(given(), helloOf('prefix', '2001:db8:64::/96'))).toBeUndefined();
    expect(disagreement(given(), helloOf('m46a', '2001:db8:46::/64', 7, ['10.64.0.0', 10]))).toBeUndefined();
    // A default equal to the helper's value was never the question.
    expect(disagreement(given({ '--network': 'dual', '--timeout-ms': '900' }), MAPPED)).toBeUndefined();
  });

  it('a given setting the helper has is accepted, in any notation of the same value', () => {
    expect(disagreement(given({ '--synth': 'mapped', '--pool': '198.18.0.0/15' }), MAPPED)).toBeUndefined();
    expect(disagreement(given({ '--pool': '198.19.255.1/15' }), MAPPED)).toBeUndefined();
    expect(disagreement(given({ '--synth': 'prefix' }), helloOf('prefix'))).toBeUndefined();
    expect(disagreement(given({ '--synth': 'prefix', '--synth-prefix': '2001:0db8:64:0::/96' }), helloOf('prefix', '2001:db8:64::/96'))).toBeUndefined();
    expect(disagreement(given({ '--synth': 'm46a', '--plane-id': '7' }), helloOf('m46a', undefined, 7))).toBeUndefined();
    // What bia env exports for a mapped helper.
    const exported = baseEnv();
    Object.assign(exported, { BIA_POOL: '198.18.0.0/15', BIA_SYNTH: 'mapped', BIA_SYNTH_PREFIX: '::ffff:0:0/96', BIA_PLANE_ID: '0' });
    expect(disagreement(given({}, exported), MAPPED)).toBeUndefined();
  });

  it('names the first given setting the helper does not have, where it came from, and both values', () => {
    expect(disagreement(given({ '--synth': 'prefix' }), MAPPED)).toEqual({ key: 'synth', source: 'flag', given: 'prefix', running: 'mapped' });
    expect(disagreement(given({}, { ...baseEnv(), BIA_SYNTH: 'prefix' }), MAPPED)).toEqual({ key: 'synth', source: 'env', given: 'prefix', running: 'mapped' });
    expect(disagreement(given({}, baseEnv('{"pool": "10.64.0.0/10"}')), MAPPED)).toEqual({ key: 'pool', source: 'file', given: '10.64.0.0/10', running: '198.18.0.0/15' });
    expect(disagreement(given({ '--synth': 'prefix', '--synth-prefix': '2001:db8:64::/96' }), helloOf('prefix'))).toMatchObject({ key: 'synthPrefix', running: '64:ff9b::/96' });
    expect(disagreement(given({ '--synth': 'm46a', '--plane-id': '8' }), helloOf('m46a', undefined, 7))).toMatchObject({ key: 'planeId', given: '8', running: '7' });
    // A flag over a variable: the flag is what the user meant.
    expect(disagreement(given({ '--synth': 'mapped' }, { ...baseEnv(), BIA_SYNTH: 'prefix' }), MAPPED)).toBeUndefined();
  });

  it('compares the settings HELLO does not tell with the helper command line\'s flags, when it has them; never the network', () => {
    const flags = { nat64: '64:ff9b::/96', poolScope: 'user', quotaPerUser: '900' };
    expect(disagreement(given({ '--nat64': '64:ff9b:0::/96', '--pool-scope': 'user' }), MAPPED, flags)).toBeUndefined();
    expect(disagreement(given({ '--nat64': 'off' }), MAPPED, flags)).toEqual({ key: 'nat64', source: 'flag', given: 'off', running: '64:ff9b::/96' });
    expect(disagreement(given({}, { ...baseEnv(), BIA_QUOTA_PER_USER: '1000' }), MAPPED, flags)).toMatchObject({ key: 'quotaPerUser', source: 'env', running: '900' });
    // Not on its command line: not known, not compared.
    expect(disagreement(given({ '--rate-per-user': '5' }), MAPPED, flags)).toBeUndefined();
    expect(disagreement(given({ '--network': 'ipv6-only' }), MAPPED, flags)).toBeUndefined();
  });

  it('reads those flags (not the network) from a helper process\'s command line, in either form, after its own switches', () => {
    const child = spawn('sh', ['-c', 'sleep 30', 'main.js', 'helper', '--system', '--network', 'dual', '--nat64', '64:ff9b:0::/96', '--pool-scope=user', '--allow-users', 'alice', '--quota-per-user', 'x']);
    try {
      expect(helperFlags(child.pid!)).toEqual({ nat64: '64:ff9b:0::/96', poolScope: 'user' });
    } finally {
      child.kill();
    }
    expect(helperFlags(2 ** 22 + 1)).toEqual({});
  });

  it('refuses in one line with the fix and EX_CONFIG', async () => {
    const effective = given({ '--synth': 'prefix' });
    const refusal = async (shared: boolean): Promise<CliError> => {
      try {
        await requireAgreement(effective, { socketPath: '/run/user/1000/bia/helper.sock', hello: MAPPED, shared });
      } catch (err) {
        return err as CliError;
      }
      throw new Error('no refusal');
    };
    expect((await refusal(false)).code).toBe(EXIT_CONFIG);
    expect((await refusal(false)).message).toBe(
      "--synth prefix differs from the running helper's synth mapped (helper at /run/user/1000/bia/helper.sock): stop it (bia stop) and rerun, drop --synth to follow it, or start a second helper with its own --socket PATH and XDG_STATE_HOME",
    );
    expect((await refusal(true)).message).toMatch(/: ask its admin, drop --synth to follow it, or start a helper of your own with --socket PATH$/);
    const file = given({}, baseEnv('{"synth": "pool"}'));
    await expect(requireAgreement(file, { socketPath: '/s', hello: MAPPED, shared: false })).rejects.toThrow(`"synth": "pool" in ${file.file} differs from the running helper's synth mapped (helper at /s): stop it (bia stop) and rerun, remove "synth" from ${file.file} to follow it, or`);
    const exported = given({}, { ...baseEnv(), BIA_SYNTH: 'mapped' });
    await expect(requireAgreement(exported, { socketPath: '/s', hello: helloOf('prefix'), shared: false })).rejects.toThrow(`rerun, unset BIA_SYNTH (eval "$(bia env --off)" where bia env set it) to follow it, or`);
    const quota = given({}, { ...baseEnv(), BIA_QUOTA_PER_USER: '7' });
    expect(disagreement(quota, MAPPED, { quotaPerUser: '8' })).toBeDefined();
    await expect(requireAgreement(given({ '--synth': 'mapped' }), { socketPath: '/s', hello: MAPPED, shared: false })).resolves.toBeUndefined();
  });
});
