/* recvfrom(): a swapped socket reports its sources as IPv4; a steered DNS
 * socket, the server it addressed (names/dnssteer.h). */
#include "names/dnssteer.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/receive.h"

BIA_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
                            socklen_t *len)
{
    ssize_t rc;

    if (!bia_active() || !addr || !bia_guard_enter())
        return bia_real()->recvfrom(fd, buf, n, flags, addr, len);
    rc = bia_recvfrom(fd, buf, n, flags, addr, len);
    bia_dnssteer_from(fd, addr, len, rc);
    bia_guard_leave();
    return rc;
}
