// `bia env`: shell commands that turn bia on (or, with --off, off) for the
// current shell and everything started from it, ssh-agent style:
//   eval "$(bia env)"     eval "$(bia env --off)"
import { parseArgs } from './args.js';
import { effectiveConfig } from '../config/effective.js';
import { CONFIG_FLAGS } from '../config/schema.js';
import { ensureHelper, helperTarget } from './ensure-helper.js';
import { CliError, EXIT_USAGE } from './exit-codes.js';
import { PRELOAD_SETTING_NAMES, preloadVariables, requireLibrary, withoutLibrary } from './preload-env.js';
import { shellQuote } from './shell-quote.js';

export async function env(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, { values: CONFIG_FLAGS, flags: ['--off', '--allow-root'] });
  if (rest.length) throw new CliError(`bia env takes no command (got ${rest[0]}); to run one program use bia run`, EXIT_USAGE);
  const library = requireLibrary();
  const lines = options.has('--off') ? offLines(library) : await onLines(library, options);
  process.stdout.write(lines.join('\n') + '\n');
  if (process.stdout.isTTY) process.stderr.write(`# bia: to apply these, run: eval "$(bia env${options.has('--off') ? ' --off' : ''})"\n`);
  return 0;
}

async function onLines(library: string, options: Map<string, string | true>): Promise<string[]> {
  const { config, sources } = effectiveConfig(options);
  const helper = await ensureHelper(helperTarget(config, sources.socket, options.has('--allow-root')));
  const vars = preloadVariables(library, { ...config, socket: helper.socketPath }, helper.hello, process.env.LD_PRELOAD);
  return Object.entries(vars).map(([name, value]) => `export ${name}=${shellQuote(value)};`);
}

function offLines(library: string): string[] {
  const rest = withoutLibrary(library, process.env.LD_PRELOAD);
  const preload = rest === undefined ? 'unset LD_PRELOAD;' : `export LD_PRELOAD=${shellQuote(rest)};`;
  return [preload, `unset ${PRELOAD_SETTING_NAMES.join(' ')};`];
}
