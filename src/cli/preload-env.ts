// The environment that turns bia on for a program: the preload library in
// LD_PRELOAD and the BIA_* settings it reads (preload/core/runtime/config.c). Shared
// by `bia run` (a child's environment) and `bia env` (the user's shell).
import { DEFAULTS, KEYS, PRELOAD_KEYS, type Config } from '../config/schema.js';
import { VARIABLES } from '../config/variables.js';
import { SynthFormat, type HelloBody } from '../wire/messages.js';
import { preloadLibrary } from '../preload-path.js';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { CliError, EXIT_INTERNAL, EXIT_USAGE } from '../exit-codes.js';

export interface PreloadSettings extends Config {
  /** Where the preload writes its log lines instead of stderr (absolute). */
  logFile?: string;
}

/**
 * The LD_PRELOAD entries that are bia: the built library, or
 * BIA_PRELOAD_LIBRARY (a developer's other build, e.g. one with ASan, given
 * with the sanitizer runtime before it, as LD_PRELOAD takes them).
 */
export function requireLibrary(env: NodeJS.ProcessEnv = process.env): string {
  const custom = env[VARIABLES.preloadLibrary];
  if (custom) return customLibrary(custom);
  const library = preloadLibrary();
  if (!library) throw new CliError('the preload library is not built: run `npm install` (or `npm run build`) in the bia package', EXIT_INTERNAL);
  return library;
}

function customLibrary(value: string): string {
  const files = entries(value);
  const bad = files.find((f) => !isAbsolute(f) || !existsSync(f));
  if (!files.length || bad !== undefined) throw new CliError(`${VARIABLES.preloadLibrary}: ${JSON.stringify(bad ?? value)} is not an absolute path to an existing file`, EXIT_USAGE);
  return files.join(' ');
}

// ld.so accepts both spaces and colons between LD_PRELOAD entries.
function entries(ldPreload: string | undefined): string[] {
  return (ldPreload ?? '').split(/[ :]+/).filter(Boolean);
}

/** LD_PRELOAD with LIBRARY's entries first, once, and the entries already there kept. */
export function withLibrary(library: string, ldPreload: string | undefined): string {
  const ours = entries(library);
  return [...ours, ...entries(ldPreload).filter((e) => !ours.includes(e))].join(' ');
}

/** LD_PRELOAD without LIBRARY's entries; undefined when nothing else was preloaded. */
export function withoutLibrary(library: string, ldPreload: string | undefined): string | undefined {
  const ours = entries(library);
  const rest = entries(ldPreload).filter((e) => !ours.includes(e));
  return rest.length ? rest.join(' ') : undefined;
}

/** The variables to add to an environment whose LD_PRELOAD is CURRENT. */
export function preloadVariables(library: string, settings: PreloadSettings, hello: HelloBody, current: string | undefined): Record<string, string> {
  const vars: Record<string, string> = {
    LD_PRELOAD: withLibrary(library, current),
    [KEYS.socket.env]: settings.socket,
    [KEYS.pool.env]: `${hello.pool}/${hello.poolLen}`,
    // The helper's synthesis, so that the library recognises synthesized
    // addresses without asking it (preload/core/v6prog/synth.c).
    [KEYS.synth.env]: SynthFormat[hello.synth.format].toLowerCase(),
    [KEYS.synthPrefix.env]: `${hello.synth.prefix}/${hello.synth.prefixLen}`,
    [KEYS.planeId.env]: String(hello.synth.plane),
  };
  for (const key of PRELOAD_KEYS) {
    const value = settings[key];
    if (value !== undefined && value !== (DEFAULTS as Partial<Config>)[key]) vars[KEYS[key].env] = String(value);
  }
  if (settings.logFile) vars[VARIABLES.logFile] = settings.logFile;
  return vars;
}

/** What `bia env --off` unsets besides LD_PRELOAD: every variable preloadVariables may set. */
export const PRELOAD_SETTING_NAMES = [...(['socket', 'pool', 'synth', 'synthPrefix', 'planeId', ...PRELOAD_KEYS] as const).map((k) => KEYS[k].env), VARIABLES.logFile];
