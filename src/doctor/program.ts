// Will LD_PRELOAD reach this program? The loader skips the preload for
// statically linked programs, for set-uid/set-gid programs and programs
// with file capabilities (secure-execution mode), and cannot load it into a
// program of another word size or libc; Go programs make their own system
// calls, so there is nothing to intercept.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './finding.js';
import { readElf, type ElfInfo } from './elf.js';
import { findTool } from '../sbin.js';

/** What the preload library itself is: bia's own build. */
export interface LibraryInfo {
  elf: ElfInfo;
  libc: 'glibc' | 'musl';
}

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

export function checkProgram(cmd: string, library: LibraryInfo): Finding[] {
  const file = resolveProgram(cmd);
  if (!file) return [{ level: 'problem', what: `${cmd}: not found or not executable`, fix: 'give the path of the program, or check $PATH' }];
  const script = interpreterOfScript(file);
  if (script) return [{ level: 'note', what: `${file} is a script run by ${script}; that is the program bia must reach` }, ...checkProgram(script, library)];
  const elf = readElf(file);
  if (!elf) return [{ level: 'problem', what: `${file}: not an ELF program bia knows how to inspect` }];
  // Go first: a static Go program needs Go's fix, not a dynamic build.
  const problem = privileged(file) ?? goProgram(file, elf) ?? foreign(file, elf, library);
  return [problem ?? { level: 'ok', what: `${file}: dynamically linked against ${libcOf(elf.interpreter!)}; bia can reach it` }];
}

// `#!/usr/bin/env python3 -u` -> python3; `#!/bin/sh` -> /bin/sh.
function interpreterOfScript(file: string): string | undefined {
  const head = readFileSync(file).subarray(0, 256).toString('latin1');
  if (!head.startsWith('#!')) return undefined;
  const [interp, arg] = head.slice(2).split('\n')[0].trim().split(/\s+/);
  return path.basename(interp) === 'env' && arg ? arg : interp;
}

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

const SECURE_FIX = 'the loader ignores LD_PRELOAD for such programs, by design. If it does not need its privileges for what you do, run a plain copy (cp it elsewhere: the copy has no set-id bit or capabilities) with bia run';

function privileged(file: string): Finding | undefined {
  const mode = statSync(file).mode;
  if (mode & (S_ISUID | S_ISGID)) {
    return { level: 'problem', what: `${file} is set-${mode & S_ISUID ? 'uid' : 'gid'}: bia cannot reach it`, fix: SECURE_FIX };
  }
  const caps = fileCapabilities(file);
  if (caps) return { level: 'problem', what: `${file} has file capabilities (${caps}): bia cannot reach it`, fix: SECURE_FIX };
  return undefined;
}

// Node cannot read extended attributes; getcap (libcap2-bin, in /usr/sbin) can.
function fileCapabilities(file: string): string | undefined {
  const getcap = findTool('getcap');
  if (!getcap) return undefined;
  const r = spawnSync(getcap, [file], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) return undefined;
  return r.stdout.trim().slice(file.length).trim() || undefined;
}

function foreign(file: string, elf: ElfInfo, library: LibraryInfo): Finding | undefined {
  if (!elf.interpreter) {
    return { level: 'problem', what: `${file} is statically linked: there is no dynamic loader to preload bia`, fix: 'use a dynamically linked build of the program (distribution packages usually are), or a NAT64/464XLAT (clat) setup, which needs no help from the program' };
  }
  if (elf.bits !== library.elf.bits || elf.machine !== library.elf.machine) {
    return { level: 'problem', what: `${file} is a ${elf.bits}-bit program for another machine type than bia's ${library.elf.bits}-bit library: the loader skips it`, fix: `build bia's library for that architecture (npm run build on such a system)` };
  }
  const libc = libcOf(elf.interpreter);
  if (libc !== library.libc) {
    return { level: 'problem', what: `${file} uses ${libc} (loader ${elf.interpreter}), but bia's library was built for ${library.libc}`, fix: `build bia on a ${libc} system (npm run build there) and use that bia for this program` };
  }
  return undefined;
}

function goProgram(file: string, elf: ElfInfo): Finding | undefined {
  if (!elf.sections.some((s) => s === '.go.buildinfo' || s === '.note.go.buildid')) return undefined;
  return {
    level: 'problem',
    what: `${file} is a Go program: Go makes its own system calls and usually its own DNS lookups, so bia sees nothing to translate`,
    fix: 'Go programs speak IPv6 natively: give them the IPv6 name or address; for IPv4-only literals in them, use NAT64/464XLAT (clat)',
  };
}

function libcOf(interpreter: string): 'glibc' | 'musl' | string {
  if (/ld-musl/.test(interpreter)) return 'musl';
  if (/ld-linux|ld64\.so/.test(interpreter)) return 'glibc';
  return `the libc of ${interpreter}`;
}
