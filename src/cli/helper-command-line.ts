// The helper settings HELLO does not tell (NAT64, pool scope, quotas), as
// the running helper's command line gives them: a helper bia run or bia
// env starts gets every helper setting as a flag (ensure-helper.ts), and a
// shared helper's unit carries the admin's (system-unit.ts). A setting its
// command line leaves out came from its environment or config file, which
// bia cannot see: it is not known.
import { readFileSync } from 'node:fs';
import { KEYS, type Key } from '../config/schema.js';
import { parseArgs } from './args.js';
import { optionSpec } from './commands.js';

/** The keys this file is asked about: the helper's own, minus what HELLO says and minus network (a program's own too). */
export const COMMAND_LINE_KEYS = ['nat64', 'poolScope', 'quotaPerProcess', 'quotaPerUser', 'ratePerProcess', 'ratePerUser'] as const satisfies readonly Key[];

/** The values of COMMAND_LINE_KEYS that process PID, a bia helper, was given as flags; {} when /proc does not say. */
export function helperFlags(pid: number): Partial<Record<Key, string>> {
  let options: Map<string, string | true>;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    options = parseArgs(args.slice(args.indexOf('helper') + 1), optionSpec('helper')).options;
  } catch {
    return {}; // gone meanwhile, its /proc hidden from us, or not a command line bia reads
  }
  const found: Partial<Record<Key, string>> = {};
  for (const key of COMMAND_LINE_KEYS) {
    const value = KEYS[key].parse(options.get(KEYS[key].flag));
    if (value !== undefined) found[key] = String(value);
  }
  return found;
}
