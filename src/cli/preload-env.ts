// The environment that turns bia on for a program: the preload library in
// LD_PRELOAD and the BIA_* settings it reads (preload/core/config.c). Shared
// by `bia run` (a child's environment) and `bia env` (the user's shell).
import { DEFAULTS, type Config } from '../config/schema.js';
import { SynthFormat, type HelloBody } from '../protocol.js';
import { preloadLibrary } from '../preload-path.js';
import { CliError, EXIT_INTERNAL } from './exit-codes.js';

export interface PreloadSettings extends Config {
  /** Where the preload writes its log lines instead of stderr (absolute). */
  logFile?: string;
}

export function requireLibrary(): string {
  const library = preloadLibrary();
  if (!library) throw new CliError('the preload library is not built: run `npm install` (or `npm run build`) in the bia package', EXIT_INTERNAL);
  return library;
}

// ld.so accepts both spaces and colons between LD_PRELOAD entries.
function entries(ldPreload: string | undefined): string[] {
  return (ldPreload ?? '').split(/[ :]+/).filter(Boolean);
}

/** LD_PRELOAD with LIBRARY first, once, and the entries already there kept. */
export function withLibrary(library: string, ldPreload: string | undefined): string {
  return [library, ...entries(ldPreload).filter((e) => e !== library)].join(' ');
}

/** LD_PRELOAD without LIBRARY; undefined when nothing else was preloaded. */
export function withoutLibrary(library: string, ldPreload: string | undefined): string | undefined {
  const rest = entries(ldPreload).filter((e) => e !== library);
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
