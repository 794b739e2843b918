/*
 * dup2(): newfd becomes oldfd's socket, with its translation; whatever
 * newfd held is closed, and its entry goes. dup2(fd, fd) changes nothing.
 * Async-signal-safe like libc's: the table takes no lock (fdtable.h).
 */
#include "fd/fdtable.h"
#include "fd/usage.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v6prog/v6only.h"
#include "v6prog/v6prog.h"

#include <unistd.h>

BIA_EXPORT int dup2(int oldfd, int newfd)
{
    int fd;

    if (bia_active())
        bia_usage_before_dup(oldfd, newfd);
    fd = bia_real()->dup2(oldfd, newfd);
    if (fd >= 0 && oldfd != newfd && bia_active()) {
        bia_fdtable_copy(oldfd, fd);
        bia_v6prog_copy(oldfd, fd);
        bia_v6only_copy(oldfd, fd);
    }
    return fd;
}
