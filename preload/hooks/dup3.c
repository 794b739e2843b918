/* dup3(): as dup2() (the kernel refuses oldfd == newfd with EINVAL). */
#define _GNU_SOURCE
#include "fd/fdtable.h"
#include "fd/usage.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v6prog/v6only.h"
#include "v6prog/v6prog.h"

#include <unistd.h>

BIA_EXPORT int dup3(int oldfd, int newfd, int flags)
{
    int fd;

    if (bia_active())
        bia_usage_before_dup(oldfd, newfd);
    fd = bia_real()->dup3(oldfd, newfd, flags);
    if (fd >= 0 && bia_active()) {
        bia_fdtable_copy(oldfd, fd);
        bia_v6prog_copy(oldfd, fd);
        bia_v6only_copy(oldfd, fd);
    }
    return fd;
}
