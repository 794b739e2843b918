// The config file, $XDG_CONFIG_HOME/bia/config.json: a flat JSON object of
// the keys in schema.ts. Errors name the file, the line and the key, and a
// key bia does not know is an error (a typo must not be silently ignored).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KEYS, type Config, type Key } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

// The pieces of the config file's path, which the native launcher looks
// at too (scripts/gen-contract.mjs gives them to it).
/** The config home when $XDG_CONFIG_HOME is not set, in the home directory. */
export const DEFAULT_CONFIG_HOME = '.config';
/** bia's directory in the config home, and the file in it. */
export const CONFIG_DIR_NAME = 'bia';
export const CONFIG_FILE_NAME = 'config.json';

/** $XDG_CONFIG_HOME, else ~/.config (a relative value is ignored, as the XDG spec says). */
export function configHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), DEFAULT_CONFIG_HOME);
}

/** $XDG_CONFIG_HOME/bia/config.json, else ~/.config/bia/config.json. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configHome(env), CONFIG_DIR_NAME, CONFIG_FILE_NAME);
}

/** The keys FILE sets; none when it does not exist. */
export function readConfigFile(file: string): Partial<Config> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file: string): Partial<Config> {
  const data = parseJson(text, file);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError(`${file}:1: expected a JSON object such as {"network": "ipv6-only"}`);
  const config: Partial<Config> = {};
  for (const [key, value] of Object.entries(data)) {
    const where = `${file}:${lineOfKey(text, key)}`;
    if (!(key in KEYS)) throw new ConfigError(`${where}: unknown key "${key}" (known keys: ${Object.keys(KEYS).join(', ')})`);
    const spec = KEYS[key as Key];
    const parsed = spec.parse(value);
    if (parsed === undefined) throw new ConfigError(`${where}: "${key}" must be ${spec.expected} (got ${JSON.stringify(value)})`);
    (config as Record<Key, unknown>)[key as Key] = parsed;
  }
  return config;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 says "... at position N" (or "line L column C" in newer versions).
    const message = (err as Error).message;
    const position = /at position (\d+)/.exec(message);
    const line = position ? lineAt(text, Number(position[1])) : Number(/line (\d+)/.exec(message)?.[1] ?? 1);
    throw new ConfigError(`${file}:${line}: not valid JSON: ${message}`);
  }
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

// The object is flat, so the first `"key":` is the key's own line.
function lineOfKey(text: string, key: string): number {
  const at = text.search(new RegExp(`${JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`));
  return at < 0 ? 1 : lineAt(text, at);
}
