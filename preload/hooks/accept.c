/* accept(): see accept4(). */
#include "accept.h"
#include "config.h"
#include "real.h"

BIA_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    int rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->accept4(fd, addr, len, 0);
    rc = bia_accept(fd, addr, len, 0);
    bia_guard_leave();
    return rc;
}
