/* posix_spawn(): as execve(); the file actions may move a translated
 * socket to another descriptor, which is why records name sockets. */
#include "exec/execenv.h"
#include "exec/supervise.h"
#include "runtime/real.h"

#include <spawn.h>

BIA_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                           const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    BIA_EXECENV(env, envp);

    return bia_supervise_spawn(pid, path, false, actions, attr, argv, env);
}
