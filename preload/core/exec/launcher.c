/*
 * bia run stays the parent of the program it starts, to pass signals on and
 * report the exit status. Killed outright (SIGKILL), it could do neither, and
 * the program would live on as an orphan. So bia run names itself in
 * BIA_LAUNCHER_PID, and the program it started asks the kernel for SIGTERM
 * when that parent goes away. Only the direct child does: the variable is
 * removed at once, so the program's own children are not tied to bia run.
 */
#include "bia_contract.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>

__attribute__((constructor)) static void tie_to_launcher(void)
{
    const char *text = getenv(BIA_ENV_LAUNCHER_PID);
    char *end;
    long pid;

    if (!text || getauxval(AT_SECURE))
        return;
    pid = strtol(text, &end, 10);
    unsetenv(BIA_ENV_LAUNCHER_PID);
    if (*end || pid <= 1 || getppid() != pid)
        return;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != pid)   /* bia run died before the kernel could be asked */
        raise(SIGTERM);
}
