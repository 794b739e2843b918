/*
 * socket(): passes straight through, except an AF_INET6 socket the kernel
 * cannot make (IPv6 disabled: EAFNOSUPPORT), which becomes an AF_INET one
 * standing in for it (core/v6prog/v4backed.c), and an AF_INET TCP or UDP socket
 * where a translation is expected (IPv6-only network, or a process that
 * translated before), which is made dual-stack AF_INET6 at once
 * (core/v4prog/preswap.c) so that its connect needs no swap. Other AF_INET
 * sockets are created as the program asks and only swapped when a connect
 * or sendto needs IPv6 (core/v4prog/outbound.c) or a bind to 0.0.0.0 or to a
 * stand-in address makes it a server (core/v4prog/bindv4.c); their history starts
 * here, which makes a later swap cheap (core/fd/sockhist.h). An ICMPv6 echo
 * socket gets its ICMPv4 twin (core/v6prog/icmp6echo.h).
 */
#include "fd/sockhist.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/icmpecho.h"
#include "v4prog/preswap.h"
#include "v6prog/icmp6echo.h"
#include "v6prog/v4backed.h"

BIA_EXPORT int socket(int domain, int type, int protocol)
{
    int fd;

    if (!bia_active())
        return bia_real()->socket(domain, type, protocol);
    if (domain == AF_INET6 && bia_guard_enter()) {
        fd = bia_v4backed_socket(domain, type, protocol);
        bia_icmp6_born(fd, type, protocol);
        bia_guard_leave();
        return fd;
    }
    if (domain == AF_INET && bia_guard_enter()) {
        fd = bia_preswap_socket(type, protocol);
        bia_guard_leave();
        if (fd >= 0)
            return fd;
    }
    fd = bia_real()->socket(domain, type, protocol);
    if (fd >= 0)
        bia_sockhist_born(fd, domain, type, protocol);
    if (fd >= 0 && domain == AF_INET)
        bia_icmp_born(fd, type, protocol);
    return fd;
}
