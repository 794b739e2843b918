/* execv(): glibc's calls its internal execve, which no hook sees; this one
 * goes through the real execve with the environment execve() would pass. */
#include "exec/execenv.h"
#include "exec/supervise.h"
#include "runtime/real.h"

#include <unistd.h>

extern char **environ;

BIA_EXPORT int execv(const char *path, char *const argv[])
{
    BIA_EXECENV(env, environ);

    return bia_supervise_execve(path, argv, env);
}
