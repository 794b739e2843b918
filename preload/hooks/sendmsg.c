/* sendmsg(): sendto() with control messages, which follow the destination.
 * A DNS query goes to the helper's endpoint as with sendto().
 * Descriptors passed (SCM_RIGHTS) end the sockets' histories (sockhist.h). */
#include "fd/sockhist.h"
#include "names/dnssteer.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/send.h"
#include "v6prog/icmp6echo.h"
#include "v6prog/v4backed.h"

BIA_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    struct sockaddr_storage steered;
    struct msghdr copy;
    ssize_t rc;

    if (!bia_active())
        return bia_real()->sendmsg(fd, msg, flags);
    bia_sockhist_sending(msg);
    if (!bia_guard_enter())
        return bia_real()->sendmsg(fd, msg, flags);
    msg = bia_dnssteer_msg(fd, msg, &copy, &steered);
    rc = bia_icmp6_kind(fd) ? bia_icmp6_sendmsg(fd, msg, flags)
         : bia_v4backed(fd) ? bia_v4backed_sendmsg(fd, msg, flags) : bia_sendmsg(fd, msg, flags);
    bia_guard_leave();
    return rc;
}
