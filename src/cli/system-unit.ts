// `bia install --system` / `bia uninstall --system`: systemd system units
// for the shared helper (docs/install.md, "A shared helper for every user").
// systemd listens on the system socket from boot on (bia-helper.socket, root's,
// 0666 in a 0755 /run/bia: the helper's own SO_PEERCRED check decides who is
// served) and starts the helper on the first connection, as an unprivileged
// user: a dynamic one made by systemd unless --service-user names one.
// As with --user, bia writes and removes files only and prints the
// systemctl commands.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { effectiveConfig } from '../config/effective.js';
import { HELPER_KEYS, KEYS } from '../config/schema.js';
import { parseArgs, stringOption } from './args.js';
import { optionSpec } from './commands.js';
import { allowList } from './allow.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { ROOT_OPT_IN } from './root.js';
import { execWord, literal, notLinked, removeUnits, unitEnvironment } from './user-unit.js';
import { UNIT_EXEC, unitCommand, type UnitCommand } from './unit-command.js';

const SERVICE = 'bia-helper';
const UNIT_DIR = '/etc/systemd/system';
const USER_NAME = /^[a-z_][a-z0-9_-]*\$?$/;

export interface SystemUnitOptions {
  /** `bia helper` flags: --system, whom it serves, and the settings given at install. */
  helperArgs: string[];
  /** Unset: DynamicUser=yes with the name bia. */
  serviceUser?: string;
  /** The socket, when not the default. */
  socket?: string;
  allowRoot: boolean;
}

export function systemServiceText(command: UnitCommand, o: SystemUnitOptions): string {
  const user = o.serviceUser ? `User=${o.serviceUser}` : 'DynamicUser=yes\nUser=bia';
  return `[Unit]
Description=bia shared helper: IPv4-only programs on IPv6-only networks, for every allowed user
Requires=${SERVICE}.socket
After=${SERVICE}.socket

[Service]
ExecStart=${[...UNIT_EXEC, '--system', ...o.helperArgs].map(execWord).join(' ')}
Environment=${unitEnvironment(command, o.allowRoot ? [`${ROOT_OPT_IN}=1`] : [])}
${user}
StateDirectory=bia
StateDirectoryMode=0700
Restart=on-failure

[Install]
Also=${SERVICE}.socket
`;
}

export function systemSocketText(socket?: string): string {
  return `[Unit]
Description=bia shared helper socket (starts the helper on the first program that needs it)

[Socket]
ListenStream=${socket ? literal(socket) : '/run/bia/helper.sock'}
SocketMode=0666
DirectoryMode=0755

[Install]
WantedBy=sockets.target
`;
}

function unitPaths(dir: string): { service: string; socket: string; links: string[] } {
  return {
    service: join(dir, `${SERVICE}.service`),
    socket: join(dir, `${SERVICE}.socket`),
    links: [join(dir, 'sockets.target.wants', `${SERVICE}.socket`)],
  };
}

/** The settings given as flags now, for the service's command line. */
function settingArgs(options: Map<string, string | true>): string[] {
  const given = [...HELPER_KEYS, 'systemSocket', 'logLevel'] as const;
  return given.flatMap((key) => {
    const value = stringOption(options.get(KEYS[key].flag));
    return value === undefined ? [] : [KEYS[key].flag, value];
  });
}

export function installSystem(argv: string[]): number {
  const { options, rest } = parseArgs(argv, optionSpec('install --system'));
  if (rest.length) throw new CliError(`install takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  const users = stringOption(options.get('--allow-users'));
  const group = stringOption(options.get('--allow-group'));
  if (users === undefined && group === undefined) throw new CliError('install --system needs --allow-users LIST or --allow-group GROUP: whom the shared helper serves', EXIT_USAGE);
  allowList(users, group); // a misspelt name stops here, not in the service
  const serviceUser = stringOption(options.get('--service-user'));
  if (serviceUser !== undefined && !USER_NAME.test(serviceUser)) throw new CliError(`--service-user ${serviceUser}: not a user name`, EXIT_USAGE);
  const allowRoot = serviceUser === 'root';
  if (allowRoot && !options.has('--allow-root')) throw new CliError('a shared helper running as root needs --allow-root as well; an unprivileged --service-user (or none: a dynamic user) is safer', EXIT_USAGE);
  const { config, sources } = effectiveConfig(options);
  const socket = sources.systemSocket === 'flag' ? config.systemSocket : undefined;
  const allow = [...(users !== undefined ? ['--allow-users', users] : []), ...(group !== undefined ? ['--allow-group', group] : [])];
  const dir = stringOption(options.get('--unit-dir')) ?? UNIT_DIR;
  const paths = unitPaths(dir);
  const command = unitCommand();
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(paths.service, systemServiceText(command, { helperArgs: [...allow, ...settingArgs(options)], serviceUser, socket, allowRoot }));
    writeFileSync(paths.socket, systemSocketText(socket));
  } catch (err) {
    throw new CliError(`cannot write the system units in ${dir}: ${(err as Error).message} (bia install --system is root's to run)`, EXIT_USAGE);
  }
  process.stdout.write(`bia: wrote ${paths.socket} and ${paths.service}
${notLinked(command)}Have systemd start the shared helper for the first program that needs it, from now on and at every boot:
  systemctl daemon-reload
  systemctl enable --now ${SERVICE}.socket
Users' bia run and bia env use it when they have no helper of their own running (bia status shows which).
`);
  return 0;
}

export function uninstallSystem(argv: string[]): number {
  const { options, rest } = parseArgs(argv, optionSpec('uninstall --system'));
  if (rest.length) throw new CliError(`uninstall takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  return removeUnits(unitPaths(stringOption(options.get('--unit-dir')) ?? UNIT_DIR), '--system');
}
