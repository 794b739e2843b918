/*
 * Programs the loader runs in secure-execution mode (set-uid, set-gid,
 * file capabilities): it ignores LD_PRELOAD for them, so bia cannot reach
 * them. A program with file capabilities (and no set-id bit) run by
 * another user than root is run through its loader instead (ld.so
 * --argv0 NAME FILE ARGS): the kernel then executes the loader, which has
 * none, so the program runs without its capabilities and with LD_PRELOAD
 * (ping then uses a ping socket where net.ipv4.ping_group_range allows).
 * (no_new_privs would not do: a file whose capabilities are effective
 * still runs in secure-execution mode.) The same rule as
 * src/secure-exec.ts.
 */
#ifndef BIA_LAUNCHER_SECUREEXEC_H
#define BIA_LAUNCHER_SECUREEXEC_H

#include <stddef.h>

#include <limits.h>

/* For the program CMD names (a path, or looked up on $PATH as execvp
 * does): writes the warning for a set-id one into line and returns 1;
 * for one to run through its loader, writes its path into file and the
 * loader's into interp and returns 2; returns 0 when the loader will
 * preload bia into it as it is. */
int secureexec_prepare(const char *cmd, char *line, size_t size, char file[PATH_MAX],
                       char interp[PATH_MAX]);

#endif
