/*
 * The exec hooks' last step: the program that would run gets the preload
 * build for its C library, or the seccomp supervisor when no preload can
 * reach it (elfreach.h), as `bia run` starts such a program.
 * - statically linked (or musl's, with no musl build of the preload):
 *   bia-supervise -- FILE ARGS... runs instead, with the same environment
 *   (LD_PRELOAD naming the glibc build for the programs it may execute,
 *   none of bia's for a musl one, whose loader would refuse it);
 * - musl's, with the musl build there: LD_PRELOAD names that build;
 * - anything else: LD_PRELOAD names the glibc build (under the glibc
 *   build, the usual case, the exec goes ahead as asked).
 * A set-id or file-capability program is never supervised (it would lose
 * its privileges). The files are bia's own, next to this library
 * (siblings.h). Stack only, no lock: usable in a vfork child.
 */
#ifndef BIA_SUPERVISE_H
#define BIA_SUPERVISE_H

#include <spawn.h>
#include <stdbool.h>

/* The real execve, execvpe, posix_spawn and posix_spawnp, or
 * bia-supervise through them (execvpe's and posix_spawnp's PATH search
 * is done first, to know the program that would run). */
int bia_supervise_execve(const char *path, char *const argv[], char *const envp[]);
int bia_supervise_execvpe(const char *file, char *const argv[], char *const envp[]);
int bia_supervise_spawn(pid_t *pid, const char *file, bool search, const posix_spawn_file_actions_t *actions,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);

#endif
