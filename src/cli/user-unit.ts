// `bia install --user` / `bia uninstall --user`: systemd user units for
// this user's helper, socket-activated: systemd listens on the helper's
// socket from login on (bia-helper.socket) and starts the helper
// (bia-helper.service) on the first connection, handing it the socket
// (src/helper/listen-fds.ts). bia writes and removes the files only;
// starting them is left to systemctl, whose commands bia prints: the user
// decides, and systemd may not run here.
import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configHome } from '../config/file.js';
import { effectiveConfig } from '../config/effective.js';
import { parseArgs } from './args.js';
import { CliError, EXIT_USAGE } from './exit-codes.js';
import { refuseRoot, ROOT_OPT_IN } from './root.js';
import { CLI_MAIN } from '../preload-path.js';
import { HELPER_NODE_FLAGS } from '../helper/node-flags.js';

const SERVICE = 'bia-helper';

/** Where systemd looks for this user's units, and the links `systemctl --user enable` makes. */
export function unitPaths(env: NodeJS.ProcessEnv = process.env): { service: string; socket: string; links: string[] } {
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
 * The service: `bia helper` run by this Node and this bia, restarted if it
 * fails. BIA_INSIDE_HELPER keeps a preload loaded into every process
 * (/etc/ld.so.preload) inert in the helper, so that it needs no exempt
 * re-run, which would lose the socket systemd passed. socket: a socket
 * path other than the default, which the helper must be told too.
 */
export function serviceText(node: string, biaMain: string, socket?: string, allowRoot = false): string {
  const env = ['BIA_INSIDE_HELPER=1', ...(socket ? [`BIA_SOCKET=${socket}`] : []), ...(allowRoot ? [`${ROOT_OPT_IN}=1`] : [])];
  return `[Unit]
Description=bia helper: IPv4-only programs on IPv6-only networks (bia run)
Requires=${SERVICE}.socket
After=${SERVICE}.socket

[Service]
ExecStart=${[node, ...HELPER_NODE_FLAGS, biaMain, 'helper'].map(execWord).join(' ')}
Environment=${env.map(envWord).join(' ')}
Restart=on-failure

[Install]
Also=${SERVICE}.socket
`;
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

function userOnly(command: string, argv: string[], flags: string[] = []): Set<string> {
  const { options, rest } = parseArgs(argv, { values: [], flags: ['--user', ...flags] });
  if (rest.length) throw new CliError(`bia ${command} takes no arguments (got ${rest[0]})`, EXIT_USAGE);
  if (!options.has('--user')) throw new CliError(`bia ${command} needs --user (units for your own helper) or --system (for a helper shared by the host's users)`, EXIT_USAGE);
  return new Set(options.keys());
}

export function install(argv: string[]): number {
  const flags = userOnly('install', argv, ['--allow-root']);
  // Root's unit would start a helper that refuses to run: refuse here, or
  // carry the explicit opt-in into the unit.
  const asRoot = process.geteuid?.() === 0;
  if (asRoot) refuseRoot(flags.has('--allow-root'));
  const { config, sources } = effectiveConfig(new Map());
  const socket = sources.socket === 'default' ? undefined : config.socket;
  const paths = unitPaths();
  mkdirSync(join(paths.service, '..'), { recursive: true });
  writeFileSync(paths.service, serviceText(process.execPath, CLI_MAIN, socket, asRoot));
  writeFileSync(paths.socket, socketText(socket));
  process.stdout.write(`bia: wrote ${paths.socket} and ${paths.service}
Have systemd start the helper for the first program that needs it, from now on and at every login:
  systemctl --user daemon-reload
  systemctl --user enable --now ${SERVICE}.socket
`);
  return 0;
}

export function uninstall(argv: string[]): number {
  userOnly('uninstall', argv);
  return removeUnits(unitPaths(), 'systemctl --user');
}

/** Removes the units at paths and their enable links, and says what systemctl still runs. */
export function removeUnits(paths: { service: string; socket: string; links: string[] }, systemctl: string): number {
  const units = [paths.socket, paths.service].filter((f) => existsSync(f));
  if (!units.length) {
    process.stderr.write(`bia: no unit at ${paths.service}; nothing to remove\n`);
    return 0;
  }
  // What `systemctl disable` would remove; it refuses once the unit files are gone.
  for (const link of paths.links) if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(link);
  for (const unit of units) rmSync(unit);
  process.stdout.write(`bia: removed ${units.join(' and ')}
Stop what systemd still runs with:
  ${systemctl} stop ${SERVICE}.socket ${SERVICE}.service
  ${systemctl} daemon-reload
`);
  return 0;
}
