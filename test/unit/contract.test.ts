// The C side's names for what it shares with src/ come from the generated
// preload/include/bia_contract.h (scripts/gen-contract.mjs): the header says
// what src/ says, and no C source spells one of those names itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configPath } from '../../src/config/file.js';
import { DEFAULTS, KEY_NAMES, KEYS, MAX_SOCKET_PATH, MAX_TIMEOUT_MS } from '../../src/config/schema.js';
import { VARIABLES } from '../../src/config/variables.js';
import { LOG_LEVELS } from '../../src/log.js';
import { socketPath, useSocketPath } from '../../src/paths.js';

const root = new URL('../..', import.meta.url).pathname;
const upper = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
let work = '';
let facts: string[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'gen-contract.mjs')], { cwd: root });
  work = mkdtempSync(join(tmpdir(), 'bia-contract-'));
  const program = join(work, 'contract');
  execFileSync('cc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-I', join(root, 'preload', 'include'), join(root, 'test', 'c', 'contract.c'), '-o', program]);
  facts = execFileSync(program).toString().trimEnd().split('\n');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const fact = (name: string): string[] => facts.filter((f) => f.startsWith(`${name} `)).map((f) => f.slice(name.length + 1));

describe('the generated contract', () => {
  it('has every config key with its variable and flag', () => {
    expect(fact('key')).toEqual(KEY_NAMES.map((k) => `${upper(k)} ${KEYS[k].env} ${KEYS[k].flag}`));
    expect(fact('variables')).toEqual([Object.values(VARIABLES).join(' ')]);
  });

  it('has the log levels in order', () => {
    expect(fact('level')).toEqual(LOG_LEVELS.map((l) => `${upper(l)} ${l}`));
    expect(fact('levels')).toEqual(['error, warn, info, debug or trace']);
  });

  it("puts the socket and the config file where src/ does", () => {
    vi.stubEnv('TMPDIR', '/tmp');
    vi.stubEnv('HOME', '/home');
    expect(fact('socket')).toEqual([`${socketPath({ XDG_RUNTIME_DIR: '/run' })} ${socketPath({})}`]);
    expect(fact('use')).toEqual([useSocketPath('helper.sock')]);
    expect(fact('config')).toEqual([`${configPath({ XDG_CONFIG_HOME: '/x' })} ${configPath({})}`]);
  });

  it('has the limits and defaults', () => {
    expect(fact('limits')).toEqual([`${MAX_SOCKET_PATH} ${MAX_TIMEOUT_MS} ${DEFAULTS.timeoutMs} ${DEFAULTS.resolveTimeoutMs}`]);
  });
});

describe('the C sources', () => {
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.[ch]$/.test(f) && !f.endsWith('bia_contract.h'))
      .map((f) => join(dir, f));

  it('spell no name of the contract themselves', () => {
    const names = [...KEY_NAMES.flatMap((k) => [KEYS[k].env, KEYS[k].flag]), ...Object.values(VARIABLES)];
    const spelled = [...sources('launcher'), ...sources('supervisor'), ...sources('preload')].flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return names.filter((n) => text.includes(`"${n}"`) || text.includes(`"${n}=`)).map((n) => `${file}: "${n}"`);
    });
    expect(spelled).toEqual([]);
  });
});
