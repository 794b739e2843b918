// The kernel's table of Unix sockets in this network namespace
// (/proc/net/unix), and which processes hold one: what Node cannot say
// about a socket it did not bind itself, and what SO_PEERCRED cannot say
// about a socket systemd made (its credentials are systemd's, who called
// listen(), not those of the helper it handed the socket to).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** __SO_ACCEPTCON in the Flags column: the socket is listening. */
const LISTENING = 0x10000;

interface UnixSocket {
  inode: string;
  listening: boolean;
  path?: string;
}

function unixSockets(): UnixSocket[] {
  // Num RefCount Protocol Flags Type St Inode Path (the path may hold spaces)
  return readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1).filter(Boolean).map((line) => {
    const fields = line.trim().split(/\s+/);
    const path = fields[7]?.startsWith('/') ? line.slice(line.indexOf(fields[7], line.indexOf(` ${fields[6]} `))) : undefined;
    return { inode: fields[6]!, listening: (parseInt(fields[3]!, 16) & LISTENING) !== 0, path };
  });
}

function socketInode(fdLink: string): string | undefined {
  return /^socket:\[(\d+)\]$/.exec(fdLink)?.[1];
}

/** The path a Unix socket fd of this process is bound to; undefined if it is not a Unix socket or has no path. */
export function unixSocketPath(fd: number): string | undefined {
  const inode = socketInode(readlinkSync(`/proc/self/fd/${fd}`));
  return inode ? unixSockets().find((s) => s.inode === inode)?.path : undefined;
}

function holds(pid: string, inode: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return socketInode(readlinkSync(`/proc/${pid}/fd/${fd}`)) === inode;
      } catch {
        return false;   // closed meanwhile
      }
    });
  } catch {
    return false;       // gone, or another user's
  }
}

/** The pids of the processes (among those this user may look into) holding the socket listening at path. */
export function listenerHolders(path: string): number[] {
  const inodes = unixSockets().filter((s) => s.listening && s.path === path).map((s) => s.inode);
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  return pids.filter((pid) => inodes.some((inode) => holds(pid, inode))).map(Number);
}
