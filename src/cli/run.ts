// `bia run -- CMD [ARGS...]`: CMD runs with the preload library, talking to
// this user's helper, and bia exits the way CMD did.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { logLevelOption, networkOption, parseArgs, stringOption } from './args.js';
import { CliError, EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND, EXIT_USAGE } from './exit-codes.js';
import { preloadVariables, requireLibrary } from './preload-env.js';
import { ensureHelper, helperTarget } from './ensure-helper.js';
import { socketPath } from '../paths.js';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function run(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, { values: ['--network', '--log-level', '--socket'], flags: [] });
  if (rest.length === 0) throw new CliError("bia run needs a command: bia run [OPTIONS] -- CMD [ARGS...]", EXIT_USAGE);
  const network = networkOption(options.get('--network'));
  const logLevel = logLevelOption(options.get('--log-level'));
  const socket = stringOption(options.get('--socket')) ?? socketPath();

  const settings = { socket, network, logLevel };
  const library = requireLibrary();
  const hello = await ensureHelper(helperTarget(settings));
  const env = { ...process.env, ...preloadVariables(library, settings, hello, process.env.LD_PRELOAD) };
  return runChild(rest, env);
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
