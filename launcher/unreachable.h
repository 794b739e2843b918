/*
 * Whether the program a command names is one the preload cannot reach but
 * the seccomp supervisor can: an ELF program without a program interpreter
 * (PT_INTERP; statically linked), or one whose interpreter is musl's
 * loader (which cannot load bia's glibc library: it gets bia's musl build
 * when there is one). bia run starts the others under the supervisor,
 * which the Node launcher does (src/cli/supervise.ts decides the same way).
 */
#ifndef BIA_LAUNCHER_UNREACHABLE_H
#define BIA_LAUNCHER_UNREACHABLE_H

#include "exec/elfreach.h"

/* cmd is found on $PATH as execvp finds it; BIA_ELF_PRELOAD when it is
 * not found, not ELF, or loaded by another interpreter. */
enum bia_elfreach unreachable_program(const char *cmd);

#endif
