// `bia install --user` / `bia uninstall --user`: systemd user units for
// this user's helper, socket-activated: systemd listens on the helper's
// socket from login on (bia-helper.socket) and starts the helper
// (bia-helper.service) on the first connection, handing it the socket
// (src/helper/listen-fds.ts). bia install writes the files only; starting
// them is left to systemctl, whose commands bia prints: the user decides,
// and systemd may not run here. bia uninstall (uninstall.ts) has systemd
// stop what it runs from these files before removing them.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configHome } from '../config/file.js';
import { VARIABLES } from '../config/variables.js';
import { effectiveConfig } from '../config/effective.js';
import { parseArgs } from './args.js';
import { optionSpec } from './commands.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { refuseRoot, ROOT_OPT_IN } from './root.js';
import { UNIT_EXEC, unitCommand, type UnitCommand } from './unit-command.js';

const SERVICE = 'bia-helper';

export interface UnitPaths {
  service: string;
  socket: string;
  /** The links `systemctl enable` makes. */
  links: string[];
}

/** Where systemd looks for this user's units, and the links `systemctl --user enable` makes. */
export function unitPaths(env: NodeJS.ProcessEnv = process.env): UnitPaths {
  const dir = join(configHome(env), 'systemd', 'user');
  return {
    service: join(dir, `${SERVICE}.service`),
    socket: join(dir, `${SERVICE}.socket`),
    links: [join(dir, 'sockets.target.wants', `${SERVICE}.socket`), join(dir, 'default.target.wants', `${SERVICE}.service`)],
  };
}

/** Text taken literally by systemd: its % specifiers escaped. */
export function literal(text: string): string {
  return text.replace(/%/g, '%%');
}

/** One quoted word of Environment=: backslashes, quotes and % specifiers taken literally. */
export function envWord(word: string): string {
  return `"${literal(word.replace(/[\\"]/g, '\\$&'))}"`;
}

/** One word of ExecStart=: as envWord, and $ variables (expanded there) taken literally too. */
export function execWord(word: string): string {
  return envWord(word).replace(/\$/g, '$$$$');
}

/**
 * The service: `bia helper`, found on the unit's PATH when it starts
 * (unit-command.ts), restarted if it fails. BIA_INSIDE_HELPER keeps a
 * preload loaded into every process (/etc/ld.so.preload) inert in the
 * helper, so that it needs no exempt re-run, which would lose the socket
 * systemd passed. socket: a socket path other than the default, which the
 * helper must be told too.
 */
export function serviceText(command: UnitCommand, socket?: string, allowRoot = false): string {
  return `[Unit]
Description=bia helper: IPv4-only programs on IPv6-only networks (bia run)
Requires=${SERVICE}.socket
After=${SERVICE}.socket

[Service]
ExecStart=${UNIT_EXEC.map(execWord).join(' ')}
Environment=${unitEnvironment(command, [...(socket ? [`BIA_SOCKET=${socket}`] : []), ...(allowRoot ? [`${ROOT_OPT_IN}=1`] : [])])}
Restart=on-failure

[Install]
Also=${SERVICE}.socket
`;
}

/** Environment='s words: how the helper is found and run, then EXTRA. */
export function unitEnvironment(command: UnitCommand, extra: string[]): string {
  return [`PATH=${command.path}`, `NODE_OPTIONS=${command.nodeOptions}`, `${VARIABLES.insideHelper}=1`, ...extra].map(envWord).join(' ');
}

/** The socket, where programs look for the helper: %t is $XDG_RUNTIME_DIR. */
export function socketText(socket?: string): string {
  return `[Unit]
Description=bia helper socket (starts the helper on the first program that needs it)

[Socket]
ListenStream=${socket ? literal(socket) : '%t/bia/helper.sock'}
SocketMode=0600
DirectoryMode=0700

[Install]
WantedBy=sockets.target
`;
}

export function install(argv: string[]): number {
  const { options, rest } = parseArgs(argv, optionSpec('install --user'));
  if (rest.length) throw new CliError(`install takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  if (!options.has('--user')) throw new CliError("install needs --user (units for your own helper) or --system (for a helper shared by the host's users)", EXIT_USAGE);
  // Root's unit would start a helper that refuses to run: refuse here, or
  // carry the explicit opt-in into the unit.
  const asRoot = process.geteuid?.() === 0;
  if (asRoot) refuseRoot(options.has('--allow-root'));
  const { config, sources } = effectiveConfig(new Map());
  const socket = sources.socket === 'default' ? undefined : config.socket;
  const paths = unitPaths();
  mkdirSync(join(paths.service, '..'), { recursive: true });
  const command = unitCommand();
  writeFileSync(paths.service, serviceText(command, socket, asRoot));
  writeFileSync(paths.socket, socketText(socket));
  process.stdout.write(`bia: wrote ${paths.socket} and ${paths.service}
${notLinked(command)}Have systemd start the helper for the first program that needs it, from now on and at every login:
  systemctl --user daemon-reload
  systemctl --user enable --now ${SERVICE}.socket
`);
  return 0;
}

/** What to say when no `bia` of this package is on PATH: the units then run this copy's. */
export function notLinked(command: UnitCommand): string {
  return command.linked ? '' : `bia is not on your PATH: the units run ${command.biaDir}/bia (run bia install again if it moves)\n`;
}

/** Removes the units at paths and their enable links, having systemd stop them first when it runs them; says what it did. */
export function removeUnits(paths: UnitPaths, scope: '--user' | '--system'): number {
  const units = [paths.socket, paths.service].filter((f) => existsSync(f));
  if (!units.length) {
    process.stderr.write(`bia: no unit at ${paths.service}; nothing to remove\n`);
    return 0;
  }
  const stopped = systemdStops(paths.service, scope);
  // What `systemctl disable` would remove; it refuses once the unit files are gone.
  for (const link of paths.links) if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(link);
  for (const unit of units) rmSync(unit);
  const systemctl = scope === '--user' ? 'systemctl --user' : 'systemctl';
  if (stopped) {
    spawnSync('systemctl', [scope, 'daemon-reload'], { stdio: 'ignore', timeout: SYSTEMCTL_TIMEOUT_MS });
    process.stdout.write(`bia: stopped ${SERVICE}.socket and ${SERVICE}.service, removed ${units.join(' and ')}\n`);
  } else {
    process.stdout.write(`bia: removed ${units.join(' and ')}
Stop what systemd still runs with:
  ${systemctl} stop ${SERVICE}.socket ${SERVICE}.service
  ${systemctl} daemon-reload
`);
  }
  return 0;
}

const SYSTEMCTL_TIMEOUT_MS = 15_000;

// Only units systemd loaded from these very files: a test's or another
// XDG_CONFIG_HOME's units must not stop the ones systemd runs.
function systemdStops(service: string, scope: '--user' | '--system'): boolean {
  const shown = spawnSync('systemctl', [scope, 'show', '-p', 'FragmentPath', '--value', `${SERVICE}.service`], { encoding: 'utf8', timeout: SYSTEMCTL_TIMEOUT_MS });
  if (shown.status !== 0 || shown.stdout.trim() !== service) return false;
  return spawnSync('systemctl', [scope, 'disable', '--now', `${SERVICE}.socket`, `${SERVICE}.service`], { stdio: 'ignore', timeout: SYSTEMCTL_TIMEOUT_MS }).status === 0;
}
