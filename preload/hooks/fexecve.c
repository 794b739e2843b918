/* fexecve(): as execve(). */
#include "execenv.h"
#include "real.h"

#include <unistd.h>

BIA_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
    BIA_EXECENV(env, envp);

    return bia_real()->fexecve(fd, argv, env);
}
