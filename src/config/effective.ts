// The settings in force and where each came from:
// flag > environment (BIA_*) > config file > default.
import { synthParams } from '../mapping/synth-format.js';
import { socketPath } from '../paths.js';
import { configPath, ConfigError, readConfigFile } from './file.js';
import { DEFAULTS, KEY_NAMES, KEYS, type Config, type Key } from './schema.js';

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface Effective {
  config: Config;
  sources: Record<Key, Source>;
  /** The config file consulted (it may not exist). */
  file: string;
}

/** FLAGS maps option names (--network) to their values, as parseArgs gives them. */
export function effectiveConfig(flags: Map<string, string | true>, env: NodeJS.ProcessEnv = process.env): Effective {
  const file = configPath(env);
  const layers: [Source, Partial<Config>][] = [
    ['flag', fromStrings(flags, (k) => KEYS[k].flag)],
    ['env', fromStrings(new Map(Object.entries(env)), (k) => KEYS[k].env)],
    ['file', readConfigFile(file)],
    ['default', defaults(env)],
  ];
  const config: Partial<Config> = {};
  const sources = {} as Record<Key, Source>;
  for (const key of KEY_NAMES) {
    const [source, layer] = layers.find(([, l]) => l[key] !== undefined) ?? ['default', {}];
    (config as Record<Key, unknown>)[key] = layer[key];
    sources[key] = source;
  }
  checkSynth(config as Config);
  return { config: config as Config, sources, file };
}

// The synthesis keys are valid one by one but must also fit together (a
// /96 for prefix, a plane ID that fits after the M46A prefix).
function checkSynth(config: Config): void {
  try {
    synthParams({ format: config.synth, prefix: config.synthPrefix, plane: config.planeId });
  } catch (err) {
    throw new ConfigError(`synth ${config.synth}${config.synthPrefix ? ` with synthPrefix ${config.synthPrefix}` : ''}: ${(err as Error).message}`);
  }
}

function fromStrings(values: Map<string, string | true | undefined>, name: (k: Key) => string): Partial<Config> {
  const out: Partial<Config> = {};
  for (const key of KEY_NAMES) {
    const raw = values.get(name(key));
    if (raw === undefined || raw === '') continue;
    const parsed = KEYS[key].parse(raw);
    if (parsed === undefined) throw new ConfigError(`${name(key)}=${String(raw)}: expected ${KEYS[key].expected}`);
    (out as Record<Key, unknown>)[key] = parsed;
  }
  return out;
}

// The default socket is the XDG one: BIA_SOCKET is the env layer's business.
function defaults(env: NodeJS.ProcessEnv): Partial<Config> {
  return { ...DEFAULTS, socket: socketPath({ ...env, BIA_SOCKET: undefined }) };
}
