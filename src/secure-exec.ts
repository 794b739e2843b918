// Programs the loader runs in secure-execution mode: set-uid, set-gid and
// programs with file capabilities. It ignores LD_PRELOAD for them, so bia
// cannot reach them. bia run warns of a set-id program (as torsocks does).
// A program with file capabilities only (Debian's ping: cap_net_raw), run
// by another user than root, it runs through its loader (ld.so --argv0 NAME
// FILE ARGS): the kernel executes the loader, which has none, so the program
// runs without its capabilities and with the preload (ping then falls back
// to a ping socket, where net.ipv4.ping_group_range allows). no_new_privs
// would not do: a file whose capabilities are effective still runs secure.
// bia doctor says which; the native launcher makes the same check in C
// (launcher/secureexec.c).
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { findTool } from './sbin.js';
import { readElf } from './elf.js';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

export const SECURE_FIX = 'the loader ignores LD_PRELOAD for such programs, by design. If it does not need its privileges for what you do, run a plain copy (cp it elsewhere: the copy has no set-id bit or capabilities) with bia run';

/** The file CMD names: a path, or the first match on $PATH. */
export function resolveProgram(cmd: string, pathVar = process.env.PATH ?? ''): string | undefined {
  const candidates = cmd.includes('/') ? [cmd] : pathVar.split(':').filter(Boolean).map((dir) => path.join(dir, cmd));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/** What makes FILE run in secure-execution mode ("is set-uid", ...; caps: which capabilities), or undefined. */
export function secureExecution(file: string): { why: string; caps?: string } | undefined {
  const mode = statSync(file).mode;
  if (mode & (S_ISUID | S_ISGID)) return { why: `is set-${mode & S_ISUID ? 'uid' : 'gid'}` };
  const caps = fileCapabilities(file);
  return caps ? { why: 'has file capabilities', caps } : undefined;
}

/** What bia run does for CMD: warn of a set-id program, run one with file capabilities only through its loader (the command line to run instead), or nothing. A script's set-id bits are ignored by the kernel. */
export function secureExecutionPlan(cmd: string): { warning: string } | { loader: string[] } | undefined {
  const file = resolveProgram(cmd);
  const secure = file && !isScript(file) ? secureExecution(file) : undefined;
  if (!secure) return undefined;
  const root = process.getuid?.() === 0 || process.geteuid?.() === 0;   // holds every capability: not secure
  if (secure.caps && root) return undefined;
  const interp = secure.caps ? readElf(file!)?.interpreter : undefined;
  if (interp && /^ld-linux/.test(path.basename(interp))) return { loader: [interp, '--argv0', cmd, file!] };
  return { warning: secureWarning(file!, secure.why) };
}

/** The warning for FILE, which runs without bia for reason WHY. */
export function secureWarning(file: string, why: string): string {
  return `${file} ${why}: the loader ignores LD_PRELOAD for it, so it runs without bia (untranslated); if it does not need its privileges, run a plain copy (cp ${file} elsewhere) with bia run`;
}

/** What bia doctor says of a program with file capabilities CAPS. */
export const CAPS_NOTE = 'for a user other than root, bia run runs it through its loader (ld.so), without them, so that bia reaches it; what needs them then fails as for a user without them (ping falls back to a ping socket, which net.ipv4.ping_group_range must allow for your group)';

function isScript(file: string): boolean {
  const head = Buffer.alloc(2);
  try {
    const fd = openSync(file, 'r');
    try {
      readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  return head.toString('latin1') === '#!';
}

// Node cannot read extended attributes; getcap (libcap2-bin, in /usr/sbin) can.
function fileCapabilities(file: string): string | undefined {
  const getcap = findTool('getcap');
  if (!getcap) return undefined;
  const r = spawnSync(getcap, [file], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) return undefined;
  return r.stdout.trim().slice(file.length).trim() || undefined;
}
