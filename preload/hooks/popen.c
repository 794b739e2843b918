/* popen(): as system(). */
#include "exec/execenv.h"
#include "runtime/real.h"

#include <stdio.h>
#include <stdlib.h>

BIA_EXPORT FILE *popen(const char *command, const char *mode)
{
    char *line = bia_execenv_command(command);
    FILE *f = bia_real()->popen(line ? line : command, mode);

    free(line);
    return f;
}
