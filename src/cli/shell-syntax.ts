// What `bia env` prints, in the syntax of the shell that will eval it, as
// ssh-agent does (-s Bourne, -c csh), and fish. Every value is quoted so
// that any path survives: single quotes keep everything literal except a
// single quote itself (and, in fish, a backslash; in csh, a `!`).
import { basename } from 'node:path';
import { CliError, EXIT_USAGE } from '../exit-codes.js';

export const SHELLS = ['sh', 'csh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Shells that take sh's syntax, by name: --shell bash is as good as --shell sh. */
const SH_LIKE = ['sh', 'bash', 'zsh', 'ksh', 'mksh', 'dash', 'ash', 'yash'];

function family(name: string): Shell | undefined {
  if (name === 'csh' || name === 'tcsh') return 'csh';
  if (name === 'fish') return 'fish';
  return SH_LIKE.includes(name) ? 'sh' : undefined;
}

/** --shell's value, else the login shell's family from $SHELL, else sh. */
export function shellFor(option: string | undefined, loginShell = process.env.SHELL): Shell {
  if (option === undefined) return family(basename(loginShell ?? '')) ?? 'sh';
  const shell = family(option);
  if (!shell) throw new CliError(`--shell ${option}: expected ${SHELLS.join(', ')} (or bash, zsh, ksh: sh; tcsh: csh)`, EXIT_USAGE);
  return shell;
}

/** VALUE as one POSIX shell word. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function fishQuote(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

// csh has no way to quote a newline in a variable's value that `eval
// \`...\`` keeps (the backquotes split the output at newlines).
function cshQuote(value: string): string {
  if (value.includes('\n')) throw new CliError(`csh cannot be given a value with a newline: ${JSON.stringify(value)}`, EXIT_USAGE);
  return shellQuote(value).replaceAll('!', '\\!');
}

/** The line that exports NAME=VALUE. */
export function setLine(shell: Shell, name: string, value: string): string {
  if (shell === 'csh') return `setenv ${name} ${cshQuote(value)};`;
  if (shell === 'fish') return `set -gx ${name} ${fishQuote(value)};`;
  return `export ${name}=${shellQuote(value)};`;
}

/** The line that removes NAMES from the environment. */
export function unsetLine(shell: Shell, names: string[]): string {
  if (shell === 'csh') return names.map((n) => `unsetenv ${n};`).join(' ');
  if (shell === 'fish') return `set -e ${names.join(' ')};`;
  return `unset ${names.join(' ')};`;
}

/** The line that shows TEXT when the output is eval'ed (ssh-agent's "Agent pid N"). */
export function echoLine(shell: Shell, text: string): string {
  return `echo ${shell === 'fish' ? fishQuote(text) : shell === 'csh' ? cshQuote(text) : shellQuote(text)};`;
}
