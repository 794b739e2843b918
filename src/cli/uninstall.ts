// `bia uninstall [--user]`: what bia set up for this user goes away (the
// systemd units, stopped first, and the running helper), and what is the
// user's stays (settings, saved mappings, the log): bia says where, and
// how to remove it. npm runs no script when a global package is removed
// (npm 7 and later), so docs/install.md has users run this before
// `npm uninstall -g bia`; a helper left running anyway notices that its
// files are gone and exits (src/helper/install-watch.ts).
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from './args.js';
import { optionSpec } from './commands.js';
import { effectiveConfig } from '../config/effective.js';
import { configPath, ConfigError } from '../config/file.js';
import { socketPath, stateDir } from '../paths.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { shellQuote } from './shell-syntax.js';
import { stopHelper } from './stop.js';
import { removeUnits, unitPaths } from './user-unit.js';

export async function uninstall(argv: string[]): Promise<number> {
  const { rest } = parseArgs(argv, optionSpec('uninstall --user'));
  if (rest.length) throw new CliError(`uninstall takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  removeUnits(unitPaths(), '--user');
  const stopped = await stopHelper(helperSocket());
  if (stopped) process.stdout.write(`bia: stopped the helper (pid ${stopped.pid})\n`);
  const kept = [dirname(configPath()), stateDir()].filter((dir) => existsSync(dir));
  if (kept.length) process.stdout.write(`bia: kept your settings and state (mappings, helper.log); to remove them too:\n  rm -r ${kept.map(shellQuote).join(' ')}\n`);
  return 0;
}

// A broken config file must not keep bia from stopping the helper.
function helperSocket(): string {
  try {
    return effectiveConfig(new Map()).config.socket;
  } catch (err) {
    if (err instanceof ConfigError) return socketPath();
    throw err;
  }
}
