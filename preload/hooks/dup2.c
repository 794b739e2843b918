/*
 * dup2(): newfd becomes oldfd's socket, with its translation; whatever
 * newfd held is closed, and its record goes (fdlife.h). dup2(fd, fd)
 * changes nothing. Async-signal-safe like libc's: the record takes no lock
 * (sockrec.h).
 */
#include "fd/fdlife.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <unistd.h>

BIA_EXPORT int dup2(int oldfd, int newfd)
{
    int fd;

    if (bia_active())
        bia_fd_replacing(oldfd, newfd);
    fd = bia_real()->dup2(oldfd, newfd);
    if (fd >= 0 && bia_active())
        bia_fd_duplicated(oldfd, fd);
    return fd;
}
