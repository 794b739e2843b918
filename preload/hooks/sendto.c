/* sendto(): a datagram to an IPv6-only peer goes out over IPv6; a DNS query
 * to a resolv.conf server, to the helper's DNS endpoint (names/dnssteer.h). */
#include "names/dnssteer.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/icmpecho.h"
#include "v4prog/send.h"
#include "v6prog/icmp6echo.h"
#include "v6prog/v4backed.h"

BIA_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
                          const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_storage steered;
    ssize_t rc;

    if (!bia_active() || (!addr && !bia_icmp_kind(fd) && !bia_icmp6_kind(fd)) ||
        !bia_guard_enter())
        return bia_real()->sendto(fd, buf, n, flags, addr, len);
    if (bia_icmp6_kind(fd)) {   /* an IPv6 program's ICMPv6 echo socket (icmp6echo.h) */
        rc = bia_icmp6_sendto(fd, buf, n, flags, addr, len);
        bia_guard_leave();
        return rc;
    }
    if (!addr) {    /* a connected ICMP socket (icmpecho.h) */
        rc = bia_icmp_sendto(fd, buf, n, flags, NULL);
        bia_guard_leave();
        return rc;
    }
    addr = bia_dnssteer_to(fd, addr, &len, &steered);
    rc = bia_v4backed(fd) ? bia_v4backed_sendto(fd, buf, n, flags, addr, len)
                          : bia_sendto(fd, buf, n, flags, addr, len);
    bia_guard_leave();
    return rc;
}
