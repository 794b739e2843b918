// Programs the loader runs in secure-execution mode: set-uid, set-gid and
// programs with file capabilities. It ignores LD_PRELOAD for them, so bia
// cannot reach them. bia run warns of a set-id program (as torsocks does);
// a program with file capabilities only (Debian's ping: cap_net_raw) it runs
// with no_new_privs, without them, which keeps the preload (ping then falls
// back to a ping socket, where net.ipv4.ping_group_range allows). bia doctor
// says which; the native launcher makes the same check in C
// (launcher/secureexec.c).
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { findTool } from './sbin.js';

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

/** What bia run does for CMD: warn of a set-id program, run one with file capabilities only without them (no_new_privs), or nothing. A script's set-id bits are ignored by the kernel. */
export function secureExecutionPlan(cmd: string): { warning: string } | { noNewPrivs: true } | undefined {
  const file = resolveProgram(cmd);
  const secure = file && !isScript(file) ? secureExecution(file) : undefined;
  if (!secure) return undefined;
  if (secure.caps) return { noNewPrivs: true };
  return { warning: secureWarning(file!, secure.why) };
}

/** The warning for FILE, which runs without bia for reason WHY. */
export function secureWarning(file: string, why: string): string {
  return `${file} ${why}: the loader ignores LD_PRELOAD for it, so it runs without bia (untranslated); if it does not need its privileges, run a plain copy (cp ${file} elsewhere) with bia run`;
}

/** What bia doctor says of a program with file capabilities CAPS. */
export const CAPS_NOTE = 'bia run runs it with no_new_privs, without them, so that the loader keeps bia in it; what needs them then fails as for a user without them (ping falls back to a ping socket, which net.ipv4.ping_group_range must allow for your group)';

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
