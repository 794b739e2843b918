/* getsockopt(): a swapped socket still says it is AF_INET. */
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/sockopt.h"
#include "v6prog/v4backed.h"

BIA_EXPORT int getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
    int rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->getsockopt(fd, level, name, value, len);
    rc = bia_v4backed(fd) ? bia_v4backed_getsockopt(fd, level, name, value, len)
                          : bia_getsockopt(fd, level, name, value, len);
    bia_guard_leave();
    return rc;
}
