// `bia env`: shell commands that turn bia on (or, with --off, off) for the
// current shell and everything started from it, ssh-agent style:
//   eval "$(bia env)"     eval `bia env`  (csh)     bia env | source  (fish)
import { parseArgs, stringOption } from './args.js';
import { optionSpec } from './commands.js';
import { effectiveConfig } from '../config/effective.js';
import { ensureHelper, helperTarget, type Reached } from './ensure-helper.js';
import { requireAgreement } from './helper-agreement.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { helperPeer } from './helper-peer.js';
import { PRELOAD_SETTING_NAMES, preloadVariables, requireLibrary, withoutLibrary } from './preload-env.js';
import { echoLine, setLine, shellFor, unsetLine, type Shell } from './shell-syntax.js';

const APPLY: Record<Shell, (command: string) => string> = {
  sh: (command) => `eval "$(${command})"`,
  csh: (command) => `eval \`${command}\``,
  fish: (command) => `${command} | source`,
};

export async function env(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, optionSpec('env'));
  if (rest.length) throw new CliError(`env takes no command (got ${rest[0]}); to run one program use bia run`, EXIT_USAGE);
  const shell = shellFor(stringOption(options.get('--shell')));
  const quiet = options.has('-q') || options.has('--quiet');
  const library = requireLibrary();
  const lines = options.has('--off') ? offLines(shell, library) : await onLines(shell, library, options, quiet);
  process.stdout.write(lines.join('\n') + '\n');
  if (process.stdout.isTTY && !quiet) process.stderr.write(`# bia: to apply these, run: ${APPLY[shell](`bia env${options.has('--off') ? ' --off' : ''}`)}\n`);
  return 0;
}

async function onLines(shell: Shell, library: string, options: Map<string, string | true>, quiet: boolean): Promise<string[]> {
  const effective = effectiveConfig(options);
  const { config, sources } = effective;
  const helper = await ensureHelper(helperTarget(config, sources.socket, options.has('--allow-root')));
  await requireAgreement(effective, helper);
  const vars = preloadVariables(library, { ...config, socket: helper.socketPath }, helper.hello, process.env.LD_PRELOAD);
  const lines = Object.entries(vars).map(([name, value]) => setLine(shell, name, value));
  if (helper.started && !quiet) lines.push(echoLine(shell, await startedText(helper)));
  return lines;
}

// As ssh-agent's "Agent pid N": the pid the kernel says listens, since the
// process bia spawned may have handed over to another (exempt.ts).
async function startedText(helper: Reached): Promise<string> {
  const peer = await helperPeer(helper.socketPath).catch(() => undefined);
  return `bia: started a helper${peer ? `, pid ${peer.pid}` : ''} (bia stop ends it)`;
}

function offLines(shell: Shell, library: string): string[] {
  const rest = withoutLibrary(library, process.env.LD_PRELOAD);
  const preload = rest === undefined ? unsetLine(shell, ['LD_PRELOAD']) : setLine(shell, 'LD_PRELOAD', rest);
  return [preload, unsetLine(shell, PRELOAD_SETTING_NAMES)];
}
