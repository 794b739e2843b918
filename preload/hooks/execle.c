/* execle(): the arguments gathered on the stack; the environment follows
 * the terminating NULL. */
#include "exec/execenv.h"
#include "exec/supervise.h"
#include "runtime/real.h"

#include <stdarg.h>
#include <unistd.h>

BIA_EXPORT int execle(const char *path, const char *arg, ...)
{
    BIA_EXECARGS(argv, arg);
    char *const *envp;
    va_list ap;

    va_start(ap, arg);
    for (size_t i = 1; i < argv_count; i++)
        va_arg(ap, char *);
    envp = va_arg(ap, char *const *);
    va_end(ap);
    {
        BIA_EXECENV(env, envp);
        return bia_supervise_execve(path, argv, env);
    }
}
