/* send(): on a translated ICMP echo socket (connected, as traceroute -I
 * does), the program's echo request goes out in ICMPv6 form (an IPv6
 * program's, in ICMPv4 form); an FTP
 * control connection's commands go through the ALG (ftp/ftpalg.h). Any
 * other send costs two loads of a counter. */
#include "ftp/ftpalg.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/icmpecho.h"
#include "v6prog/icmp6echo.h"

BIA_EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    bool icmp = bia_active() && bia_icmp_kind(fd), icmp6 = bia_active() && bia_icmp6_kind(fd);
    ssize_t rc;

    if ((!icmp && !icmp6 && !bia_ftp_any()) || !bia_guard_enter())
        return bia_real()->send(fd, buf, n, flags);
    rc = icmp ? bia_icmp_sendto(fd, buf, n, flags, NULL)
         : icmp6 ? bia_icmp6_sendto(fd, buf, n, flags, NULL, 0)
                 : bia_ftp_send(fd, buf, n, flags, false);
    bia_guard_leave();
    return rc;
}
