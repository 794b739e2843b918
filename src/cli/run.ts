// `bia run -- CMD [ARGS...]`: CMD runs with the preload library, talking to
// this user's helper, and bia exits the way CMD did.
import { closeSync, openSync } from 'node:fs';
import { resolve as absolutePath } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { parseArgs, stringOption } from './args.js';
import { optionSpec } from './commands.js';
import { effectiveConfig } from '../config/effective.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { runChild } from './child.js';
import { preloadVariables, requireLibrary, withLibrary, withoutLibrary } from './preload-env.js';
import { muslPreloadLibrary } from '../preload-path.js';
import { ensureHelper, helperTarget } from './ensure-helper.js';
import { requireAgreement } from './helper-agreement.js';
import { secureExecutionPlan } from '../secure-exec.js';
import { VARIABLES } from '../config/variables.js';
import { supervisedCommand } from './supervise.js';

export async function run(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, optionSpec('run'));
  if (rest.length === 0) throw new CliError("run needs a command: bia run [OPTIONS] -- CMD [ARGS...]", EXIT_USAGE);
  const effective = effectiveConfig(options);
  const { config, sources } = effective;
  const settings = { ...config, ...traceSettings(config.logLevel, options) };
  const library = requireLibrary();
  const helper = await ensureHelper(helperTarget(settings, sources.socket, options.has('--allow-root')));
  await requireAgreement(effective, helper);
  const env: NodeJS.ProcessEnv = { ...process.env, ...preloadVariables(library, { ...settings, socket: helper.socketPath }, helper.hello, process.env.LD_PRELOAD) };
  const secure = secureExecutionPlan(rest[0]);
  if (secure && 'warning' in secure) process.stderr.write(`bia: warning: ${secure.warning}
`);
  const command = secure && 'loader' in secure ? [...secure.loader, ...rest.slice(1)] : rest;
  const start = supervisedCommand(command, rest[0], options.has('--supervise'));
  if (start.preload !== 'glibc') env.LD_PRELOAD = withoutLibrary(library, process.env.LD_PRELOAD);
  if (start.preload === 'musl') env.LD_PRELOAD = withLibrary(muslPreloadLibrary()!, env.LD_PRELOAD);
  // The program asks for SIGTERM should bia run be killed outright
  // (preload/core/exec/launcher.c), so it never outlives its launcher as an orphan.
  return runChild(start.command, { ...env, [VARIABLES.launcherPid]: String(process.pid) });
}

// The preload logs each translated call at info level; tracing shows those
// lines, and more when a chattier level was asked for.
function traceSettings(logLevel: LogLevel | undefined, options: Map<string, string | true>): { logLevel?: LogLevel; logFile?: string } {
  const file = stringOption(options.get('--trace-file'));
  if (!file && !options.has('--trace')) return { logLevel };
  const chatty = logLevel && LOG_LEVELS.indexOf(logLevel) > LOG_LEVELS.indexOf('info');
  return { logLevel: chatty ? logLevel : 'info', logFile: file && writableFile(absolutePath(file)) };
}

// The preload would only warn about a file it cannot write; say it now.
function writableFile(file: string): string {
  try {
    closeSync(openSync(file, 'a', 0o600));
  } catch (err) {
    throw new CliError(`cannot write the trace file ${file}: ${(err as Error).message}`, EXIT_USAGE);
  }
  return file;
}
