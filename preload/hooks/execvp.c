/* execvp(): execvpe() with the program's environment. */
#include "exec/execenv.h"
#include "exec/supervise.h"
#include "runtime/real.h"

#include <unistd.h>

extern char **environ;

BIA_EXPORT int execvp(const char *file, char *const argv[])
{
    BIA_EXECENV(env, environ);

    return bia_supervise_execvpe(file, argv, env);
}
