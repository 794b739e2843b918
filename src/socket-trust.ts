// Whether a shared helper's socket can be trusted before a program is handed
// to it: a socket that another ordinary user made would see every name the
// program looks up and could send its connections anywhere. Only root can
// make entries in a directory that root owns and only root may write, so
// the socket counts when every directory above its own is such a directory,
// its own directory is writable by its owner only (root, or the user root
// gave it to: the service user), and the socket belongs to root or to that
// owner. Symbolic links are resolved first and the resolved path is the one
// used, so a link cannot be turned elsewhere after the check.
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type SystemSocket = { trusted: string } | { absent: true } | { untrusted: string };

const WRITABLE_BY_OTHERS = 0o022;

function mode(st: Stats): string {
  return (st.mode & 0o7777).toString(8);
}

/** The resolved path of the shared helper's socket at PATH, or why it is not one to use. */
export function checkSystemSocket(path: string): SystemSocket {
  let dir: string;
  let socket: Stats;
  try {
    dir = realpathSync(dirname(path));
    socket = lstatSync(join(dir, basename(path)));
  } catch {
    return { absent: true };
  }
  const resolved = join(dir, basename(path));
  if (!socket.isSocket()) return { untrusted: `${resolved} is not a socket` };
  const own = lstatSync(dir);
  if (own.mode & WRITABLE_BY_OTHERS) return { untrusted: `its directory ${dir} is writable by others (mode ${mode(own)})` };
  for (let up = dirname(dir), below = dir; up !== below; below = up, up = dirname(up)) {
    const st = lstatSync(up);
    if (st.uid !== 0 || st.mode & WRITABLE_BY_OTHERS) return { untrusted: `${up} is not root's alone (owner uid ${st.uid}, mode ${mode(st)}), so anyone may have made ${dir}` };
  }
  if (socket.uid !== 0 && socket.uid !== own.uid) return { untrusted: `it belongs to uid ${socket.uid}, neither root nor ${dir}'s owner (uid ${own.uid})` };
  return { trusted: resolved };
}
