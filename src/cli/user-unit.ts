// `bia install --user` / `bia uninstall --user`: a systemd user unit that
// runs this user's helper from login on, so the first `bia run` finds it up.
// bia writes and removes the file only; starting it is left to systemctl,
// whose commands bia prints: the user decides, and systemd may not run here.
import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configHome } from '../config/file.js';
import { parseArgs } from './args.js';
import { CliError, EXIT_USAGE } from './exit-codes.js';

const SERVICE = 'bia-helper';

/** Where systemd looks for this user's units, and the unit's enable link. */
export function unitPaths(env: NodeJS.ProcessEnv = process.env): { unit: string; wants: string } {
  const dir = join(configHome(env), 'systemd', 'user');
  return { unit: join(dir, `${SERVICE}.service`), wants: join(dir, 'default.target.wants', `${SERVICE}.service`) };
}

/** One word of ExecStart=: quoted, with systemd's % specifiers and $ variables taken literally. */
function execWord(word: string): string {
  return `"${word.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** The unit: `bia helper` run by this Node and this bia, restarted if it fails. */
export function unitText(node: string, biaMain: string): string {
  return `[Unit]
Description=bia helper: IPv4-only programs on IPv6-only networks (bia run)

[Service]
ExecStart=${[node, biaMain, 'helper'].map(execWord).join(' ')}
Restart=on-failure

[Install]
WantedBy=default.target
`;
}

function userOnly(command: string, argv: string[]): void {
  const { options, rest } = parseArgs(argv, { values: [], flags: ['--user'] });
  if (rest.length) throw new CliError(`bia ${command} takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  if (!options.has('--user')) throw new CliError(`bia ${command} needs --user (a systemd user unit is the only kind bia installs)`, EXIT_USAGE);
}

export function install(argv: string[]): number {
  userOnly('install', argv);
  const { unit } = unitPaths();
  mkdirSync(join(unit, '..'), { recursive: true });
  writeFileSync(unit, unitText(process.execPath, process.argv[1]!));
  process.stdout.write(`bia: wrote ${unit}
Start the helper now and at every login with:
  systemctl --user daemon-reload
  systemctl --user enable --now ${SERVICE}
`);
  return 0;
}

export function uninstall(argv: string[]): number {
  userOnly('uninstall', argv);
  const { unit, wants } = unitPaths();
  if (!existsSync(unit)) {
    process.stderr.write(`bia: no unit at ${unit}; nothing to remove\n`);
    return 0;
  }
  // What `systemctl --user disable` would remove; it refuses once the unit file is gone.
  if (lstatSync(wants, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(wants);
  rmSync(unit);
  process.stdout.write(`bia: removed ${unit}
Stop a helper systemd still runs with:
  systemctl --user stop ${SERVICE}
  systemctl --user daemon-reload
`);
  return 0;
}
