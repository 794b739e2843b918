/*
 * Whether the preload can reach a program: not one without a program
 * interpreter (PT_INTERP: statically linked, no loader to preload it), nor
 * one whose interpreter is musl's loader (it cannot load bia's glibc
 * library and refuses to start the program). Those run under the seccomp
 * supervisor instead (docs/supervisor.md). The native launcher
 * (launcher/unreachable.c) and the preload's exec hooks (supervise.h)
 * decide with this; src/cli/supervise.ts decides the same way.
 * No allocation: usable in a vfork child.
 */
#ifndef BIA_ELFREACH_H
#define BIA_ELFREACH_H

#include <stdbool.h>
#include <stddef.h>

enum bia_elfreach {
    BIA_ELF_PRELOAD,   /* another loader's, not ELF, or unreadable: as before */
    BIA_ELF_STATIC,
    BIA_ELF_MUSL,
};

/* What reaches the program in file (a path as execve takes it). */
enum bia_elfreach bia_elfreach(const char *file);

/* The file execvp would run for cmd (cmd itself when it has a slash;
 * else the first regular, executable file on path, which NULL makes
 * execvp's default), in out (size bytes); false when there is none. */
bool bia_elfreach_search(const char *cmd, const char *path, char *out, size_t size);

#endif
