/* dup(): the copy is the same socket, so it keeps the translation. */
#include "fd/fdtable.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v6prog/v6only.h"
#include "v6prog/v6prog.h"

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
