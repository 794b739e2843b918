/* Prints what the generated preload/include/bia_contract.h says, one fact a
 * line, for test/unit/contract.test.ts to hold against src/. */
#include "bia_contract.h"

#include <stdio.h>
#include <unistd.h>

#define KEY(key, var, flag) puts("key " #key " " var " " flag);
#define LEVEL(level, name) puts("level " #level " " name);

int main(void)
{
    BIA_CONFIG_KEYS(KEY)
    BIA_LOG_LEVELS(LEVEL)
    puts("levels " BIA_LOG_LEVEL_CHOICES);
    puts("variables " BIA_ENV_LOG_FILE " " BIA_ENV_INSIDE_HELPER " " BIA_ENV_LAUNCHER_PID " " BIA_ENV_PRELOAD_LIBRARY);
    printf("socket /run/" BIA_SOCKET_RUNTIME_DIR "/" BIA_SOCKET_NAME " /tmp/" BIA_SOCKET_TMP_DIR_PREFIX "%u/" BIA_SOCKET_NAME "\n",
           (unsigned)getuid());
    puts("use helper.sock" BIA_USE_SOCKET_SUFFIX);
    puts("config /x/" BIA_CONFIG_DIR "/" BIA_CONFIG_FILE " /home/" BIA_CONFIG_DEFAULT_HOME "/" BIA_CONFIG_DIR "/" BIA_CONFIG_FILE);
    printf("limits %d %d %d %d\n", BIA_MAX_SOCKET_PATH, BIA_MAX_TIMEOUT_MS, BIA_DEFAULT_TIMEOUT_MS, BIA_DEFAULT_RESOLVE_TIMEOUT_MS);
    return 0;
}
