/*
 * Programs the loader runs in secure-execution mode (set-uid, set-gid,
 * file capabilities): it ignores LD_PRELOAD for them, so bia cannot reach
 * them. The same check as src/secure-exec.ts, for the launcher's warning.
 */
#ifndef BIA_LAUNCHER_SECUREEXEC_H
#define BIA_LAUNCHER_SECUREEXEC_H

#include <stddef.h>

/* Writes the warning for the program CMD names (a path, or looked up on
 * $PATH as execvp does) into line and returns 1, or returns 0 when the
 * loader will preload bia into it. */
int secureexec_warning(const char *cmd, char *line, size_t size);

#endif
