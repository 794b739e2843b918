// Programs the loader runs in secure-execution mode: set-uid, set-gid and
// programs with file capabilities. It ignores LD_PRELOAD for them, so bia
// cannot reach them. bia doctor reports it; bia run warns (as torsocks
// does), and the native launcher makes the same check in C
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

/** The warning bia run gives before running CMD, or undefined. A script's set-id bits are ignored by the kernel. */
export function secureExecutionWarning(cmd: string): string | undefined {
  const file = resolveProgram(cmd);
  const secure = file && !isScript(file) ? secureExecution(file) : undefined;
  return secure && `${file} ${secure.why}: the loader ignores LD_PRELOAD for it, so it runs without bia (untranslated); if it does not need its privileges, run a plain copy (cp ${file} elsewhere) with bia run`;
}

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
