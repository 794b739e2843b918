/* execlp(): the arguments gathered on the stack, then as execvp(). */
#include "exec/execenv.h"
#include "exec/supervise.h"
#include "runtime/real.h"

#include <stdarg.h>
#include <unistd.h>

extern char **environ;

BIA_EXPORT int execlp(const char *file, const char *arg, ...)
{
    BIA_EXECARGS(argv, arg);
    BIA_EXECENV(env, environ);

    return bia_supervise_execvpe(file, argv, env);
}
