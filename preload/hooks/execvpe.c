/* execvpe(): the PATH search stays glibc's; only the environment changes. */
#define _GNU_SOURCE
#include "exec/execenv.h"
#include "exec/supervise.h"
#include "runtime/real.h"

#include <unistd.h>

BIA_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    BIA_EXECENV(env, envp);

    return bia_supervise_execvpe(file, argv, env);
}
