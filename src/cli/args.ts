// Command-line options in the conventional shape: options first, then
// either `--` or the first non-option word starts the command to run.
import { CliError, EXIT_USAGE } from '../exit-codes.js';

export interface OptionSpec {
  /** Options that take a value (`--name VALUE` or `--name=VALUE`). */
  values: string[];
  /** Options that are plain switches. */
  flags: string[];
}

export interface ParsedArgs {
  options: Map<string, string | true>;
  rest: string[];
}

export function parseArgs(argv: string[], spec: OptionSpec): ParsedArgs {
  const options = new Map<string, string | true>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return { options, rest: argv.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') break;
    const [name, inline] = splitOption(arg);
    if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new CliError(`${name} takes no value`, EXIT_USAGE);
      options.set(name, true);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new CliError(`${name} needs a value`, EXIT_USAGE);
      options.set(name, value);
    } else {
      throw new CliError(`unknown option ${name}`, EXIT_USAGE);
    }
  }
  return { options, rest: argv.slice(i) };
}

function splitOption(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** The value of an option that takes one, or undefined. */
export function stringOption(value: string | true | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
