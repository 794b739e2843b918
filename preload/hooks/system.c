/*
 * system(): glibc runs the shell through its internal posix_spawn, with
 * the environment as it is, so the exec hooks never see it; the command
 * itself exports BIA_TRANSLATED instead (core/exec/execenv.c).
 */
#include "exec/execenv.h"
#include "runtime/real.h"

#include <stdlib.h>

BIA_EXPORT int system(const char *command)
{
    char *line = bia_execenv_command(command);
    int rc = bia_real()->system(line ? line : command);

    free(line);
    return rc;
}
