// The native addon (native/peercred.cc): what Node cannot do by itself.
// node-gyp-build finds it in build/Release or prebuilds/ under the package
// root, which is one level above both src/ and dist/.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

interface Addon {
  peerCredentials(fd: number): PeerCredentials;
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
let addon: Addon | undefined;

/** Loads the addon now, so that a missing build is reported at start-up rather than at the first client. */
export function loadNative(): void {
  if (addon) return;
  try {
    const load = createRequire(import.meta.url)('node-gyp-build') as (dir: string) => Addon;
    addon = load(packageRoot);
  } catch (err) {
    throw new Error(`bia's native addon (bia_native) is not available: ${(err as Error).message}. Build it with 'npx node-gyp rebuild' in ${packageRoot} (needs a C++ compiler).`);
  }
}

/** SO_PEERCRED of a connected Unix socket: who is on the other end. */
export function peerCredentials(fd: number): PeerCredentials {
  loadNative();
  return addon!.peerCredentials(fd);
}
