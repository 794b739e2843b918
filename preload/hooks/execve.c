/* execve(): the new program learns which inherited sockets are translated
 * (core/exec/execenv.c). Async-signal-safe like libc's: stack only, no lock. */
#include "exec/execenv.h"
#include "exec/supervise.h"
#include "runtime/real.h"

#include <unistd.h>

BIA_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    BIA_EXECENV(env, envp);

    return bia_supervise_execve(path, argv, env);
}
