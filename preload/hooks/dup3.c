/* dup3(): as dup2() (the kernel refuses oldfd == newfd with EINVAL). */
#define _GNU_SOURCE
#include "config.h"
#include "fdtable.h"
#include "real.h"
#include "usage.h"

#include <fcntl.h>
#include <unistd.h>

BIA_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    int fd;

    /* newfd's socket is closed by a dup that will succeed (oldfd is open). */
    if (oldfd != newfd && bia_active() && fcntl(oldfd, F_GETFD) >= 0)
        bia_usage_end(newfd);
    fd = bia_real()->dup3(oldfd, newfd, flags);
    if (fd >= 0 && bia_active())
        bia_fdtable_copy(oldfd, fd);
    return fd;
}
