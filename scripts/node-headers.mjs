// node-gyp compiles against Node's headers. Without a nodedir it downloads
// them from nodejs.org into ~/.cache, which fails on a machine without
// outside network and puts files in the user's home; Node's own packages
// (Debian's nodejs, the nodejs.org tarballs) ship them beside the binary,
// in <prefix>/include/node. This points node-gyp there when they are.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Environment for node-gyp: the running Node's nodedir when its headers are installed and none is configured. */
export function nodeGypEnv() {
  if (process.env.npm_config_nodedir) return {};
  const prefix = resolve(process.execPath, '..', '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? { npm_config_nodedir: prefix } : {};
}
