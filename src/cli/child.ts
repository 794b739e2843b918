// Running a command the way a wrapper should: signals bia receives go on to
// it, and its exit status (128+N for a signal) becomes bia's.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CliError, EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND } from '../exit-codes.js';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** Spawns CMD, forwards signals to it, and resolves with its exit status. */
export function runChild(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
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
