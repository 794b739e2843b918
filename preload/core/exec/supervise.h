/*
 * A program the preload cannot reach (elfreach.h: statically linked, or
 * musl's) that a preloaded program executes runs under the seccomp
 * supervisor, as `bia run` starts such a program: the exec hooks execute
 *   bia-supervise -- FILE ARGS...
 * instead, with the same environment (a musl program's without
 * LD_PRELOAD, which its loader would refuse). bia-supervise is the one
 * next to this library (the build and the prebuilds put them together).
 * Any other program is executed as asked, at the cost of reading its ELF
 * header. Stack only, no lock: usable in a vfork child.
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
