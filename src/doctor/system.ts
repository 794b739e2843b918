// The machine side of `bia doctor`: bia's own library and the directory
// that holds the helper socket (what the helper itself says is judged in
// cli/helper-findings.ts, next to the queries that ask it).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './finding.js';
import { readElf } from '../elf.js';
import { checkHelperSocket } from '../socket-trust.js';
import type { LibraryInfo } from './program.js';

/** The preload library as built here; its libc is the one Node runs on. */
export function libraryInfo(file: string): LibraryInfo | undefined {
  const elf = readElf(file);
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const header = report?.header;
  return elf && { elf, libc: header?.glibcVersionRuntime ? 'glibc' : 'musl' };
}

/** The helper refuses a directory others can write to; say so before it does. */
export function socketDirFinding(socket: string): Finding {
  const dir = path.dirname(socket);
  const trust = checkHelperSocket(socket);
  if ('untrusted' in trust) return { level: 'problem', what: trust.untrusted };
  if ('absent' in trust && !existsSync(dir)) return { level: 'ok', what: `socket directory ${dir}: not there yet; the helper creates it (mode 700)` };
  const st = statSync(dir);
  return { level: 'ok', what: `socket directory ${dir}: ${st.uid === process.geteuid!() ? 'yours' : `uid ${st.uid}'s, vouched for by root`}, mode ${(st.mode & 0o777).toString(8)}` };
}
