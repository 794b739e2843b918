/* getsockname(): a socket the library swapped to IPv6 still reports IPv4. */
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/sockname.h"

BIA_EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    int rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->getsockname(fd, addr, len);
    rc = bia_sockname(fd, addr, len, false);
    bia_guard_leave();
    return rc;
}
