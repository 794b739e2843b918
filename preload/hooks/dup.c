/* dup(): the copy is the same socket, so it keeps the translation. */
#include "fd/fdlife.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <unistd.h>

BIA_EXPORT int dup(int oldfd)
{
    int fd = bia_real()->dup(oldfd);

    if (fd >= 0 && bia_active())
        bia_fd_duplicated(oldfd, fd);
    return fd;
}
