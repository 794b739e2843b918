// `bia run -- CMD [ARGS...]`: CMD runs with the preload library, talking to
// this user's helper, and bia exits the way CMD did.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { closeSync, openSync } from 'node:fs';
import { resolve as absolutePath } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { parseArgs, stringOption } from './args.js';
import { effectiveConfig } from '../config/effective.js';
import { CONFIG_FLAGS } from '../config/schema.js';
import { CliError, EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND, EXIT_USAGE } from './exit-codes.js';
import { preloadVariables, requireLibrary } from './preload-env.js';
import { ensureHelper, helperTarget } from './ensure-helper.js';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function run(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, { values: [...CONFIG_FLAGS, '--trace-file'], flags: ['--trace'] });
  if (rest.length === 0) throw new CliError("bia run needs a command: bia run [OPTIONS] -- CMD [ARGS...]", EXIT_USAGE);
  const { config } = effectiveConfig(options);
  const settings = { ...config, ...traceSettings(config.logLevel, options) };
  const library = requireLibrary();
  const hello = await ensureHelper(helperTarget(settings));
  const env = { ...process.env, ...preloadVariables(library, settings, hello, process.env.LD_PRELOAD) };
  return runChild(rest, env);
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

/** Spawns CMD, forwards signals to it, and resolves with its exit status. */
function runChild(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const s of FORWARDED_SIGNALS) process.on(s, forward);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new CliError(`${command[0]}: command not found`, EXIT_NOT_FOUND));
      else if (err.code === 'EACCES') reject(new CliError(`${command[0]}: permission denied`, EXIT_CANNOT_EXECUTE));
      else reject(new CliError(`${command[0]}: ${err.message}`, EXIT_CANNOT_EXECUTE));
    });
    child.on('exit', (code, signal) => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
