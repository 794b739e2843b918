/*
 * ioctl(): a socket made dual-stack at birth (core/v4prog/preswap.c) is made a
 * genuine AF_INET socket again before any request that is not generic
 * (IPv4 interface addresses, routes, ARP: the kernel reads those by the
 * socket's family), while it is unbound and unconnected. Everything else
 * goes straight to libc. The third argument is read as a pointer and
 * handed on as one, as for fcntl.
 */
#include "fd/fdtable.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/preswap.h"

#include <stdarg.h>

BIA_EXPORT int ioctl(int fd, unsigned long request, ...)
{
    struct bia_fdinfo info;
    va_list ap;
    void *arg;

    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (bia_active() && !bia_preswap_ioctl_generic(request) && bia_guard_enter()) {
        if (bia_fdtable_get(fd, &info) && info.v6peer.sin6_family != AF_INET6)
            bia_preswap_undo(fd, "an IPv4 ioctl");
        bia_guard_leave();
    }
    return bia_real()->ioctl(fd, request, arg);
}
