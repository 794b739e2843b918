/* sendmmsg(): sendto() for a batch. */
#define _GNU_SOURCE
#include "config.h"
#include "real.h"
#include "send.h"

BIA_EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags)
{
    int rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->sendmmsg(fd, v, vlen, flags);
    rc = bia_sendmmsg(fd, v, vlen, flags);
    bia_guard_leave();
    return rc;
}
