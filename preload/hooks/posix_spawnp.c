/* posix_spawnp(): as posix_spawn(). */
#include "exec/execenv.h"
#include "exec/supervise.h"
#include "runtime/real.h"

#include <spawn.h>

BIA_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                            const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    BIA_EXECENV(env, envp);

    return bia_supervise_spawn(pid, file, true, actions, attr, argv, env);
}
