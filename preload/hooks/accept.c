/* accept(): see accept4(). */
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/accept.h"

BIA_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    int rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->accept4(fd, addr, len, 0);
    rc = bia_accept(fd, addr, len, 0);
    bia_guard_leave();
    return rc;
}
