// Which programs `bia run` hands to the seccomp supervisor (supervisor/,
// docs/supervisor.md) instead of the preload alone: those it is asked to
// (--supervise), statically linked ones, which no dynamic loader
// preloads, and musl's, whose loader cannot load bia's glibc library (it
// refuses to start the program: so they get no LD_PRELOAD from bia) unless
// bia's musl build of the preload is there, which they get instead.
// Dynamically linked glibc programs under it keep the preload too: the
// preload translates what it reaches, the supervisor the rest.
// launcher/unreachable.c decides the same way for the native launcher.
import { readElf } from '../elf.js';
import { resolveProgram, secureExecution } from '../secure-exec.js';
import { muslPreloadLibrary, supervisorProgram } from '../preload-path.js';
import { CliError, EXIT_INTERNAL } from '../exit-codes.js';

export type Unreachable = 'static' | 'musl';

/**
 * Why the preload cannot reach CMD, or undefined when it can (or CMD is not
 * an ELF program). A set-id or file-capability program is left as it was:
 * under the supervisor's PR_SET_NO_NEW_PRIVS it would run without its
 * privileges (bia run warns that it runs untranslated).
 */
export function preloadUnreachable(cmd: string): Unreachable | undefined {
  const file = resolveProgram(cmd);
  const elf = file ? readElf(file) : undefined;
  if (!elf || secureExecution(file!)) return undefined;
  if (elf.interpreter === undefined) return 'static';
  return /ld-musl/.test(elf.interpreter) ? 'musl' : undefined;
}

/** Which preload COMMAND gets: bia's glibc library, its musl build, or none. */
export type PreloadKind = 'glibc' | 'musl' | 'none';

/**
 * COMMAND (which runs PROGRAM) as bia run starts it, and the preload it
 * gets. A dynamically linked musl program gets the musl build of the
 * preload when there is one (measured faster than the supervisor:
 * bench/README.md), else the supervisor alone.
 */
export function supervisedCommand(command: string[], program: string, asked: boolean): { command: string[]; preload: PreloadKind } {
  const unreachable = preloadUnreachable(program);
  const preload: PreloadKind = unreachable !== 'musl' ? 'glibc' : muslPreloadLibrary() ? 'musl' : 'none';
  if (!asked && (!unreachable || preload === 'musl')) return { command, preload };
  const supervisor = supervisorProgram();
  if (!supervisor) throw new CliError('the supervisor (bia-supervise) is not built: run `npm install` (or `npm run build`) in the bia package', EXIT_INTERNAL);
  return { command: [supervisor, '--', ...command], preload };
}
