// Will LD_PRELOAD reach this program? The loader skips the preload for
// statically linked programs, for set-uid/set-gid programs and programs
// with file capabilities (secure-execution mode), and cannot load it into a
// program of another word size or libc; Go programs make their own system
// calls, so there is nothing to intercept.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './finding.js';
import { readElf, type ElfInfo } from '../elf.js';
import { CAPS_NOTE, resolveProgram, SECURE_FIX, secureExecution } from '../secure-exec.js';
import { supervisorKernel } from './supervisor-kernel.js';
import { muslPreloadLibrary } from '../preload-path.js';

/** What the preload library itself is: bia's own build. */
export interface LibraryInfo {
  elf: ElfInfo;
  libc: 'glibc' | 'musl';
}

export function checkProgram(cmd: string, library: LibraryInfo): Finding[] {
  const file = resolveProgram(cmd);
  if (!file) return [{ level: 'problem', what: `${cmd}: not found or not executable`, fix: 'give the path of the program, or check $PATH' }];
  const script = interpreterOfScript(file);
  if (script) return [{ level: 'note', what: `${file} is a script run by ${script}; that is the program bia must reach` }, ...checkProgram(script, library)];
  const elf = readElf(file);
  if (!elf) return [{ level: 'problem', what: `${file}: not an ELF program bia knows how to inspect` }];
  // Go first: a static Go program needs Go's fix, not a dynamic build.
  const secure = secureExecution(file);
  const problem = privileged(file, secure) ?? goProgram(file, elf) ?? foreign(file, elf, library);
  const caps: Finding[] = secure?.caps && !problem ? [{ level: 'note', what: `${file} has file capabilities (${secure.caps}): ${CAPS_NOTE}` }] : [];
  const libc = libcOf(elf.interpreter!);
  const how = libc === 'musl' && library.libc === 'glibc' ? ' with its musl build of the preload' : '';
  return [problem ?? { level: 'ok', what: `${file}: dynamically linked against ${libc}; bia can reach it${how}` }, ...caps];
}

// `#!/usr/bin/env python3 -u` -> python3; `#!/bin/sh` -> /bin/sh.
function interpreterOfScript(file: string): string | undefined {
  const head = readFileSync(file).subarray(0, 256).toString('latin1');
  if (!head.startsWith('#!')) return undefined;
  const [interp, arg] = head.slice(2).split('\n')[0].trim().split(/\s+/);
  return path.basename(interp) === 'env' && arg ? arg : interp;
}

// A set-id program; one with file capabilities only is run without them (CAPS_NOTE).
function privileged(file: string, secure: ReturnType<typeof secureExecution>): Finding | undefined {
  if (!secure || secure.caps) return undefined;
  return { level: 'problem', what: `${file} ${secure.why}${secure.caps ? ` (${secure.caps})` : ''}: bia cannot reach it`, fix: SECURE_FIX };
}

function foreign(file: string, elf: ElfInfo, library: LibraryInfo): Finding | undefined {
  if (!elf.interpreter) return supervised(file, 'is statically linked, so no loader preloads bia', '');
  if (elf.bits !== library.elf.bits || elf.machine !== library.elf.machine) {
    return { level: 'problem', what: `${file} is a ${elf.bits}-bit program for another machine type than bia's ${library.elf.bits}-bit library: the loader skips it`, fix: `build bia's library for that architecture (npm run build on such a system)` };
  }
  const libc = libcOf(elf.interpreter);
  if (libc === 'musl' && library.libc === 'glibc' && muslPreloadLibrary()) return undefined;   // its musl build reaches it
  if (libc === 'musl' && library.libc === 'glibc') return supervised(file, `uses musl (loader ${elf.interpreter}), which cannot load bia's glibc library`, '');
  if (libc !== library.libc) {
    return { level: 'problem', what: `${file} uses ${libc} (loader ${elf.interpreter}), but bia's library was built for ${library.libc}`, fix: `build bia on a ${libc} system (npm run build there) and use that bia for this program` };
  }
  return undefined;
}

// Static programs run under the supervisor (docs/supervisor.md), which
// needs a kernel new enough.
function supervised(file: string, why: string, more: string): Finding {
  const kernel = supervisorKernel();
  if (!kernel.ok) return { level: 'problem', what: `${file} ${why}, and ${kernel.what}`, fix: 'run it on Linux 5.9 or later, or use a dynamically linked build of it, or a NAT64/464XLAT (clat) setup' };
  return { level: more ? 'note' : 'ok', what: `${file} ${why}: bia run runs it under its seccomp supervisor (${kernel.what})${more}` };
}

function goProgram(file: string, elf: ElfInfo): Finding | undefined {
  if (!elf.sections.some((s) => s === '.go.buildinfo' || s === '.note.go.buildid')) return undefined;
  if (!elf.interpreter) return supervised(file, 'is a statically linked Go program', '');
  return {
    level: 'problem',
    what: `${file} is a Go program: Go makes its own system calls and usually its own DNS lookups, so the preload sees nothing to translate`,
    fix: 'bia run --supervise -- CMD translates its connects to pool addresses (Linux 5.9 or later); Go programs speak IPv6 natively, so give them the IPv6 name or address; for IPv4-only literals in them, use NAT64/464XLAT (clat)',
  };
}

function libcOf(interpreter: string): 'glibc' | 'musl' | string {
  if (/ld-musl/.test(interpreter)) return 'musl';
  if (/ld-linux|ld64\.so/.test(interpreter)) return 'glibc';
  return `the libc of ${interpreter}`;
}
