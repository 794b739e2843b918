/* send(): on a translated ICMP echo socket (connected, as traceroute -I
 * does), the program's echo request goes out in ICMPv6 form. */
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/icmpecho.h"

BIA_EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    ssize_t rc;

    /* No ICMP socket translated (nearly always): no system call. */
    if (!bia_active() || !bia_icmp_kind(fd) || !bia_guard_enter())
        return bia_real()->send(fd, buf, n, flags);
    rc = bia_icmp_sendto(fd, buf, n, flags, NULL);
    bia_guard_leave();
    return rc;
}
