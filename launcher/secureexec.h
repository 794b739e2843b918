/*
 * Programs the loader runs in secure-execution mode (set-uid, set-gid,
 * file capabilities): it ignores LD_PRELOAD for them, so bia cannot reach
 * them. A program with file capabilities (and no set-id bit) runs with
 * no_new_privs instead: without them, so that the loader keeps LD_PRELOAD
 * (ping then uses a ping socket where net.ipv4.ping_group_range allows).
 * The same rule as src/secure-exec.ts.
 */
#ifndef BIA_LAUNCHER_SECUREEXEC_H
#define BIA_LAUNCHER_SECUREEXEC_H

#include <stddef.h>

/* For the program CMD names (a path, or looked up on $PATH as execvp
 * does): writes the warning for a set-id one into line and returns 1;
 * sets no_new_privs for this process (and so the program it execs) for
 * one with file capabilities and returns 2; returns 0 when the loader
 * will preload bia into it as it is. */
int secureexec_prepare(const char *cmd, char *line, size_t size);

#endif
