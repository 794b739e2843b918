// What an ELF shared object is built for: its machine, the oldest glibc it
// loads with (the newest GLIBC_x.y symbol version it references), the libc
// it loads, and the glibc version each function of that libc came in.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';

/** The glibc docs/install.md says the preload library needs, on every architecture. */
export const DOCUMENTED_GLIBC = '2.34';

const MACHINES: Record<number, string> = { 62: 'x64', 183: 'arm64' };

/** The Node arch name for the ELF e_machine of file (64-bit little-endian only). */
export function elfMachine(file: string): string {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1', 0, 4) !== '\x7fELF') throw new Error(`${file} is not an ELF file`);
  if (header[4] !== 2 || header[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
  const machine = header.readUInt16LE(18);
  return MACHINES[machine] ?? `e_machine ${machine}`;
}

function versionKey(v: string): number[] {
  return v.split('.').map(Number);
}

/** Whether glibc version a is newer than b ("2.34" > "2.4"). */
export function newer(a: string, b: string): boolean {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}

/** The newest GLIBC_ symbol version file references (binutils' objdump reads every architecture's ELF). */
export function newestGlibcVersion(file: string): string {
  const r = spawnSync('objdump', ['-T', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`objdump -T ${file} failed: ${r.error?.message ?? r.stderr}`);
  const versions = [...r.stdout.matchAll(/\(GLIBC_([0-9.]+)\)/g)].map((m) => m[1]!);
  return versions.reduce((max, v) => (newer(v, max) ? v : max), '0');
}

/** The path of the libc.so.6 that file loads on this machine (ldd). */
export function libcOf(file: string): string {
  const r = spawnSync('ldd', [file], { encoding: 'utf8' });
  const libc = /^\s*libc\.so\.6 => (\S+)/m.exec(r.stdout)?.[1];
  if (!libc) throw new Error(`ldd ${file} names no libc.so.6: ${r.error?.message ?? r.stderr}`);
  return libc;
}

/** The GLIBC_ version of each symbol libc defines by default, the one dlsym finds by name. */
export function defaultGlibcVersions(libc: string): Map<string, string> {
  const r = spawnSync('objdump', ['-T', libc], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`objdump -T ${libc} failed: ${r.error?.message ?? r.stderr}`);
  // "(GLIBC_2.2.5) posix_spawn" is an older, hidden version: not dlsym's.
  return new Map([...r.stdout.matchAll(/ GLIBC_([0-9.]+) +(\S+)$/gm)].map((m) => [m[2]!, m[1]!]));
}
