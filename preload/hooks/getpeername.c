/* getpeername(): a socket the library swapped to IPv6 still reports IPv4; a
 * steered DNS socket, the server it addressed (names/dnssteer.h). */
#include "names/dnssteer.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/sockname.h"

BIA_EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    int rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->getpeername(fd, addr, len);
    rc = bia_sockname(fd, addr, len, true);
    bia_dnssteer_from(fd, addr, len, rc);
    bia_guard_leave();
    return rc;
}
