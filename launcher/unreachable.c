#include "unreachable.h"

#include "exec/elfreach.h"

#include <limits.h>
#include <stdlib.h>

bool unreachable_program(const char *cmd)
{
    char file[PATH_MAX];

    return bia_elfreach_search(cmd, getenv("PATH"), file, sizeof file) && bia_elfreach(file) != BIA_ELF_PRELOAD;
}
