/* dup3(): as dup2() (the kernel refuses oldfd == newfd with EINVAL). */
#define _GNU_SOURCE
#include "fd/fdlife.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <unistd.h>

BIA_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    int fd;

    if (bia_active())
        bia_fd_replacing(oldfd, newfd);
    fd = bia_real()->dup3(oldfd, newfd, flags);
    if (fd >= 0 && bia_active())
        bia_fd_duplicated(oldfd, fd);
    return fd;
}
