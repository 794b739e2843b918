// The environment that turns bia on for a program: the preload library in
// LD_PRELOAD and the BIA_* settings it reads (preload/core/config.c). Shared
// by `bia run` (a child's environment) and `bia env` (the user's shell).
import { DEFAULTS, type Config } from '../config/schema.js';
import { SynthFormat, type HelloBody } from '../wire/messages.js';
import { preloadLibrary } from '../preload-path.js';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { CliError, EXIT_INTERNAL, EXIT_USAGE } from './exit-codes.js';

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
  if (env.BIA_PRELOAD_LIBRARY) return customLibrary(env.BIA_PRELOAD_LIBRARY);
  const library = preloadLibrary();
  if (!library) throw new CliError('the preload library is not built: run `npm install` (or `npm run build`) in the bia package', EXIT_INTERNAL);
  return library;
}

function customLibrary(value: string): string {
  const files = entries(value);
  const bad = files.find((f) => !isAbsolute(f) || !existsSync(f));
  if (!files.length || bad !== undefined) throw new CliError(`BIA_PRELOAD_LIBRARY: ${JSON.stringify(bad ?? value)} is not an absolute path to an existing file`, EXIT_USAGE);
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
    BIA_SOCKET: settings.socket,
    BIA_POOL: `${hello.pool}/${hello.poolLen}`,
    // The helper's synthesis, so that the library recognises synthesized
    // addresses without asking it (preload/core/synth.c).
    BIA_SYNTH: SynthFormat[hello.synth.format].toLowerCase(),
    BIA_SYNTH_PREFIX: `${hello.synth.prefix}/${hello.synth.prefixLen}`,
    BIA_PLANE_ID: String(hello.synth.plane),
  };
  if (settings.network !== DEFAULTS.network) vars.BIA_NETWORK = settings.network;
  if (settings.logLevel) vars.BIA_LOG = settings.logLevel;
  if (settings.logFile) vars.BIA_LOG_FILE = settings.logFile;
  if (settings.timeoutMs !== DEFAULTS.timeoutMs) vars.BIA_TIMEOUT_MS = String(settings.timeoutMs);
  if (settings.resolveTimeoutMs !== DEFAULTS.resolveTimeoutMs) vars.BIA_RESOLVE_TIMEOUT_MS = String(settings.resolveTimeoutMs);
  return vars;
}

/** What `bia env --off` unsets besides LD_PRELOAD: every variable preloadVariables may set. */
export const PRELOAD_SETTING_NAMES = ['BIA_SOCKET', 'BIA_POOL', 'BIA_NETWORK', 'BIA_LOG', 'BIA_LOG_FILE', 'BIA_TIMEOUT_MS', 'BIA_RESOLVE_TIMEOUT_MS', 'BIA_SYNTH', 'BIA_SYNTH_PREFIX', 'BIA_PLANE_ID'];
