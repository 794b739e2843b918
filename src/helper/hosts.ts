// /etc/hosts, read the way glibc's "files" backend reads it: one address per
// line followed by a canonical name and aliases, '#' starts a comment, names
// compare case-insensitively, and every line naming the host contributes its
// address (glibc >= 2.26 behaves as if "multi on").
import { WatchedFile } from './filecache.js';
import { plainV4, plainV6 } from '../wire/addresses.js';

export interface HostsEntry {
  /** The canonical name of the first line that names the host. */
  canon: string;
  v4: string[];
  v6: string[];
}

export function parseHosts(text: string): Map<string, HostsEntry> {
  const table = new Map<string, HostsEntry>();
  for (const raw of text.split('\n')) {
    const [address, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || names.length === 0) continue;
    const v4 = plainV4(address);
    const v6 = v4 ? undefined : plainV6(address)?.address;
    if (!v4 && !v6) continue;
    for (const name of names) addAddress(table, name, names[0], v4, v6);
  }
  return table;
}

function addAddress(table: Map<string, HostsEntry>, name: string, canon: string, v4?: string, v6?: string): void {
  const key = name.toLowerCase();
  let entry = table.get(key);
  if (!entry) table.set(key, (entry = { canon, v4: [], v6: [] }));
  if (v4 && !entry.v4.includes(v4)) entry.v4.push(v4);
  if (v6 && !entry.v6.includes(v6)) entry.v6.push(v6);
}

export class HostsFile {
  private readonly file: WatchedFile<Map<string, HostsEntry>>;

  constructor(path = '/etc/hosts') {
    this.file = new WatchedFile(path, parseHosts);
  }

  /** The host's addresses; a trailing dot (an absolute name) is ignored. */
  lookup(name: string): HostsEntry | undefined {
    return this.file.get().get(name.replace(/\.$/, '').toLowerCase());
  }
}
