/* recvmsg(): a swapped socket reports sources and control messages as IPv4;
 * a steered DNS socket, the server it addressed (names/dnssteer.h). */
#include "names/dnssteer.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/receive.h"

BIA_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    ssize_t rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->recvmsg(fd, msg, flags);
    rc = bia_recvmsg(fd, msg, flags);
    bia_dnssteer_from_msg(fd, msg, rc);
    bia_guard_leave();
    return rc;
}
