/* execve(): the new program learns which inherited sockets are translated
 * (core/execenv.c). Async-signal-safe like libc's: stack only, no lock. */
#include "execenv.h"
#include "real.h"

#include <unistd.h>

BIA_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    BIA_EXECENV(env, envp);

    return bia_real()->execve(path, argv, env);
}
