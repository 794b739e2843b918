/*
 * Whether the program a command names is a statically linked ELF program
 * (no PT_INTERP): no dynamic loader preloads bia into it, so bia run starts
 * it under the seccomp supervisor, which the Node launcher does
 * (src/cli/supervise.ts decides the same way).
 */
#ifndef BIA_LAUNCHER_STATICPROG_H
#define BIA_LAUNCHER_STATICPROG_H

#include <stdbool.h>

/* cmd is found on $PATH as execvp finds it; false when it is not found,
 * not ELF, or has a program interpreter. */
bool staticprog(const char *cmd);

#endif
