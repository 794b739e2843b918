// `bia status`: is the helper up, what does it see, its mapping table, and
// which settings are in force and why. --json gives the same for scripts.
import { existsSync } from 'node:fs';
import { parseArgs } from './args.js';
import { optionSpec } from './commands.js';
import { effectiveConfig, type Effective } from '../config/effective.js';
import { KEY_NAMES, KEYS } from '../config/schema.js';
import { CliError, EXIT_NOT_RUNNING, EXIT_USAGE } from '../exit-codes.js';
import { helperState, type HelperState } from './helper-state.js';
import { helperLogPath } from '../paths.js';
import { mappingTable, tableText, type MappingTable } from './mapping-table.js';
import { nat64Status, nat64Text, type Nat64Status } from './nat64-status.js';
import { helperTarget, locateHelper } from './ensure-helper.js';
import { helperStaleness, type Staleness } from './helper-age.js';

export async function status(argv: string[]): Promise<number> {
  const { options, rest } = parseArgs(argv, optionSpec('status'));
  if (rest.length) throw new CliError(`status takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  const effective = effectiveConfig(options);
  const located = await locateHelper(helperTarget(effective.config, effective.sources.socket));
  const helper = await helperState(located.socketPath);
  const table = helper.running ? await mappingTable(located.socketPath).catch((err: Error) => err) : undefined;
  const nat64 = helper.running ? await nat64Status(located.socketPath).catch((err: Error) => err) : undefined;
  const stale = helper.running ? helperStaleness(helper.peer.pid, located.shared, helper.peer.activated) : undefined;
  const report = { helper: { ...helperJson(helper, located, table, nat64), ...(helper.running ? { stale: stale ?? null } : {}) }, config: configJson(effective) };
  process.stdout.write(options.has('--json') ? JSON.stringify(report, null, 2) + '\n' : text(helper, located, effective, table, nat64, stale));
  return helper.running ? 0 : EXIT_NOT_RUNNING;
}

type TableResult = MappingTable | Error | undefined;
type Nat64Result = Nat64Status | Error | undefined;
type Located = Awaited<ReturnType<typeof locateHelper>>;

function helperJson(helper: HelperState, located: Located, table: TableResult, nat64: Nat64Result): object {
  const common = { socket: located.socketPath, shared: located.shared, ...(located.why ? { sharedHelper: located.why } : {}), log: located.shared ? null : helperLogPath() };
  if (!helper.running) return { running: false, why: helper.why, ...common };
  const mappings = table instanceof Error ? { tableError: table.message } : { poolUsage: table!.pool, mappings: table!.mappings };
  const nat = nat64 instanceof Error ? { nat64Error: nat64.message } : { nat64 };
  return { running: true, pid: helper.peer.pid, uid: helper.peer.uid, network: helper.network, ...nat, pool: helper.pool, ...mappings, ...common };
}

function configJson(e: Effective): object {
  const values = Object.fromEntries(KEY_NAMES.map((k) => [k, { value: e.config[k] ?? null, source: e.sources[k] }]));
  return { file: e.file, fileExists: existsSync(e.file), values };
}

function text(helper: HelperState, located: Located, e: Effective, table: TableResult, nat64: Nat64Result, stale: Staleness | undefined): string {
  const whose = located.shared ? `, the shared helper of this host (uid ${helper.running ? helper.peer.uid : '?'})` : '';
  const lines = helper.running
    ? [`helper:  running, pid ${helper.peer.pid}${whose}`, `network: ${helper.network} (as the helper sees it)`, `nat64:   ${nat64Text(nat64!)}`, `pool:    ${helper.pool}`]
    : [`helper:  not running (${helper.why}); bia run or bia env starts it`];
  if (stale) lines.push(`older:   ${stale.what}; to restart it: ${stale.fix}`);
  lines.push(`socket:  ${located.socketPath}`);
  if (located.why) lines.push(`shared:  not used (${located.why})`);
  lines.push(`log:     ${located.shared ? "the shared helper's (journalctl -u bia-helper)" : helperLogPath()}`, '');
  if (table instanceof Error) lines.push(`mappings: cannot be read (${table.message})`, '');
  else if (table) lines.push(...tableText(table), '');
  lines.push(`config (file ${e.file}${existsSync(e.file) ? '' : ', not present'}):`);
  const values = KEY_NAMES.map((key) => String(e.config[key] ?? '(unset)'));
  const width = Math.max(...values.map((v) => v.length)) + 2;
  KEY_NAMES.forEach((key, i) => lines.push(`  ${key.padEnd(18)}${values[i].padEnd(width)}${sourceText(e, key)}`));
  if (!e.config.logLevel) lines.push('  (logLevel unset: programs log warnings, the helper info)');
  return lines.join('\n') + '\n';
}

function sourceText(e: Effective, key: (typeof KEY_NAMES)[number]): string {
  const spec = KEYS[key];
  return { flag: `from ${spec.flag}`, env: `from $${spec.env}`, file: 'from the config file', default: 'default' }[e.sources[key]];
}
