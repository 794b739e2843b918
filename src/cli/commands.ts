// Every command and the options it takes: what each command's parseArgs
// is given, and what the man page and the shell completions are generated
// from (scripts/gen-docs.mjs), so that none of them can list an option
// the command does not take. The settings' own options are schema.ts's.
import type { OptionSpec } from './args.js';
import { CONFIG_FLAGS, KEYS } from '../config/schema.js';
import { SHELLS } from './shell-syntax.js';

export interface CommandOptions {
  /** The settings of schema.ts as options (--network, --pool, ...), all of them or only these. */
  settings: 'all' | 'none' | readonly string[];
  /** Options that take a value; the values to offer (empty: a file name, or anything). */
  values: Readonly<Record<string, readonly string[]>>;
  flags: readonly string[];
  /** What follows the options: a command to run, programs, or nothing. */
  operands: 'command' | 'programs' | 'none';
}

const NONE = { values: {}, flags: [], operands: 'none' } as const;

/** Keyed by command, with a variant's switch (install --system) where it takes other options. */
export const COMMANDS = {
  run: { settings: 'all', values: { '--trace-file': [] }, flags: ['--trace', '--supervise', '--allow-root'], operands: 'command' },
  env: { settings: 'all', values: { '--shell': SHELLS }, flags: ['--off', '--allow-root', '-q', '--quiet'], operands: 'none' },
  status: { settings: 'all', values: {}, flags: ['--json'], operands: 'none' },
  doctor: { settings: 'all', values: {}, flags: ['--json'], operands: 'programs' },
  stop: { ...NONE, settings: [KEYS.socket.flag] },
  helper: { settings: 'all', values: { '--allow-users': [], '--allow-group': [] }, flags: ['--allow-root', '--system'], operands: 'none' },
  demo: { ...NONE, settings: 'none' },
  'install --user': { ...NONE, settings: 'none', flags: ['--user', '--allow-root'] },
  'install --system': { settings: 'all', values: { '--allow-users': [], '--allow-group': [], '--service-user': [], '--unit-dir': [] }, flags: ['--system', '--allow-root'], operands: 'none' },
  'uninstall --user': { ...NONE, settings: 'none', flags: ['--user'] },
  'uninstall --system': { ...NONE, settings: 'none', values: { '--unit-dir': [] }, flags: ['--system'] },
} as const satisfies Record<string, CommandOptions>;

export type CommandName = keyof typeof COMMANDS;

export function settingFlags(command: CommandOptions): string[] {
  return command.settings === 'all' ? CONFIG_FLAGS : command.settings === 'none' ? [] : [...command.settings];
}

/** What parseArgs takes for COMMAND. */
export function optionSpec(name: CommandName): OptionSpec {
  const command: CommandOptions = COMMANDS[name];
  return { values: [...settingFlags(command), ...Object.keys(command.values)], flags: [...command.flags] };
}
