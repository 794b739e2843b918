#include "unreachable.h"

#include <limits.h>
#include <stdlib.h>

enum bia_elfreach unreachable_program(const char *cmd)
{
    char file[PATH_MAX];

    return bia_elfreach_search(cmd, getenv("PATH"), file, sizeof file) ? bia_elfreach(file) : BIA_ELF_PRELOAD;
}
