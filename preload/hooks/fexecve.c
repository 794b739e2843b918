/* fexecve(): as execve(). */
#include "exec/execenv.h"
#include "runtime/real.h"

#include <unistd.h>

BIA_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    BIA_EXECENV(env, envp);

    return bia_real()->fexecve(fd, argv, env);
}
