// Debian keeps some tools bia runs in sbin directories (dnsmasq and tayga
// for the lab, getcap for bia doctor), which an ordinary user's PATH leaves
// out: they run fine without root, they are just not found.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** PATH with the sbin directories it lacks appended, so the user's own still come first. */
export function pathWithSbin(path = process.env.PATH ?? ''): string {
  const dirs = path.split(':').filter(Boolean);
  return [...dirs, ...SBIN_DIRS.filter((d) => !dirs.includes(d))].join(':');
}

/** Where TOOL is, on PATH or in an sbin directory; undefined when nowhere. */
export function findTool(tool: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathWithSbin(path).split(':')) {
    const file = join(dir, tool);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
