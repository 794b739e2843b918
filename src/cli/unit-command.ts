// How the systemd units (user-unit.ts, system-unit.ts) start the helper:
// `/usr/bin/env bia helper`, with a PATH that finds `bia` where npm links
// it and `node` where it was at install time, before the usual places.
// The units name no file inside one installation: an upgrade of bia (npm
// replaces the package directory) or of Node (apt, nvm) keeps them
// working as long as `bia` and `node` are still on that PATH. `env`
// because ExecStart= needs an absolute path, and systemd looks a bare name
// up in fixed directories, not in Environment=PATH.
import { realpathSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { packageRoot } from '../package-root.js';
import { HELPER_NODE_FLAGS } from '../helper/node-flags.js';

/** systemd's own PATH for services. */
const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const UNIT_EXEC = ['/usr/bin/env', 'bia', 'helper'];

export interface UnitCommand {
  /** The unit's PATH. */
  path: string;
  /** The directory `bia` is found in; `linked` when npm's link is on PATH, not the package's own bin/. */
  biaDir: string;
  linked: boolean;
  /** Node's options for the helper (HELPER_NODE_FLAGS), which `bia helper` cannot take on its command line. */
  nodeOptions: string;
}

/** The first PATH directory whose `bia` is this package's, else the package's bin/ (a checkout). */
function biaOnPath(searchPath: string): { dir: string; linked: boolean } {
  const root = realpathSync(packageRoot);
  for (const dir of searchPath.split(delimiter).filter((d) => d.startsWith('/'))) {
    const bia = join(dir, 'bia');
    try {
      if (!relative(root, realpathSync(bia)).startsWith('..')) return { dir, linked: true };
    } catch {
      // not there, or a dangling link
    }
  }
  return { dir: join(packageRoot, 'bin'), linked: false };
}

export function unitCommand(searchPath = process.env.PATH ?? '', nodePath = process.execPath): UnitCommand {
  const bia = biaOnPath(searchPath);
  const dirs = [bia.dir, dirname(nodePath), ...SYSTEM_PATH].filter((d, i, all) => all.indexOf(d) === i);
  return { path: dirs.join(delimiter), biaDir: bia.dir, linked: bia.linked, nodeOptions: HELPER_NODE_FLAGS.join(' ') };
}
