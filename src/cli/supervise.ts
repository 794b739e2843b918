// Which programs `bia run` hands to the seccomp supervisor (supervisor/,
// docs/supervisor.md) instead of the preload alone: those it is asked to
// (--supervise) and statically linked ones, which no dynamic loader
// preloads. Dynamically linked programs under it keep the preload too:
// the preload translates what it reaches, the supervisor the rest.
import { readElf } from '../doctor/elf.js';
import { resolveProgram } from '../secure-exec.js';
import { supervisorProgram } from '../preload-path.js';
import { CliError, EXIT_INTERNAL } from '../exit-codes.js';

/** Whether CMD is an ELF program without a dynamic loader (PT_INTERP). */
export function staticProgram(cmd: string): boolean {
  const file = resolveProgram(cmd);
  const elf = file ? readElf(file) : undefined;
  return elf !== undefined && elf.interpreter === undefined;
}

/** COMMAND as bia run starts it: under the supervisor when asked or needed. */
export function supervisedCommand(command: string[], asked: boolean): string[] {
  if (!asked && !staticProgram(command[0])) return command;
  const supervisor = supervisorProgram();
  if (!supervisor) throw new CliError('the supervisor (bia-supervise) is not built: run `npm install` (or `npm run build`) in the bia package', EXIT_INTERNAL);
  return [supervisor, '--', ...command];
}
