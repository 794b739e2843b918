/* recvmmsg(): recvmsg() for a batch. */
#define _GNU_SOURCE
#include "names/dnssteer.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/receive.h"

BIA_EXPORT int recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, bia_mmsg_flags flags,
                        struct timespec *tmo)
{
    int rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->recvmmsg(fd, v, vlen, flags, tmo);
    rc = bia_recvmmsg(fd, v, vlen, flags, tmo);
    bia_dnssteer_from_mmsg(fd, v, rc);
    bia_guard_leave();
    return rc;
}
