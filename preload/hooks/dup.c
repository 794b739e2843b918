/* dup(): the copy is the same socket, so it keeps the translation. */
#include "config.h"
#include "fdtable.h"
#include "real.h"
#include "v6only.h"
#include "v6prog.h"

#include <unistd.h>

BIA_EXPORT int dup(int oldfd)
{
    int fd = bia_real()->dup(oldfd);

    if (fd >= 0 && bia_active()) {
        bia_fdtable_copy(oldfd, fd);
        bia_v6prog_copy(oldfd, fd);
        bia_v6only_copy(oldfd, fd);
    }
    return fd;
}
