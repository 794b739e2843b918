/*
 * dup2(): newfd becomes oldfd's socket, with its translation; whatever
 * newfd held is closed, and its entry goes. dup2(fd, fd) changes nothing.
 * Async-signal-safe like libc's: the table takes no lock (fdtable.h).
 */
#include "config.h"
#include "fdtable.h"
#include "real.h"
#include "usage.h"

#include <fcntl.h>
#include <unistd.h>

BIA_EXPORT int dup2(int oldfd, int newfd)
{
    int fd;

    /* newfd's socket is closed by a dup that will succeed (oldfd is open). */
    if (oldfd != newfd && bia_active() && fcntl(oldfd, F_GETFD) >= 0)
        bia_usage_end(newfd);
    fd = bia_real()->dup2(oldfd, newfd);
    if (fd >= 0 && oldfd != newfd && bia_active())
        bia_fdtable_copy(oldfd, fd);
    return fd;
}
