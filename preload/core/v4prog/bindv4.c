/*
 * A socket already swapped (by an earlier bind or a sendto) takes every
 * IPv4 address in IPv6 form. An unswapped one is swapped only while it is
 * unbound and unused, as bia_swap_check() allows, and only if its
 * replacement can bind; otherwise the kernel answers the bind as it would
 * have (EADDRINUSE, EADDRNOTAVAIL, ...).
 */
#include "v4prog/bindv4.h"

#include "fd/fdtable.h"
#include "fd/usage.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "runtime/trace.h"
#include "v4prog/outbound.h"
#include "v4prog/preswap.h"
#include "v4prog/route.h"
#include "v4prog/swap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* The IPv6 form of addr, or 1 if addr is an IPv4 address of its own
 * (bound natively, or in v4-mapped form on a swapped socket); *mapped
 * says whether a mapping made it. */
static int local_v6(const struct sockaddr_in *addr, struct sockaddr_in6 *out, bool *mapped)
{
    struct in6_addr v6;
    int err;

    *mapped = false;
    /* This host's stand-in (sockaddr.h): any of its addresses. */
    if (addr->sin_addr.s_addr == htonl(INADDR_ANY) || bia_v4_is_this_host(addr->sin_addr)) {
        bia_sin6_make(out, &in6addr_any, addr->sin_port);
        return 0;
    }
    if (bia_route_v4(addr->sin_addr, &v6, &err) == BIA_ROUTE_V6) {
        bia_sin6_make(out, &v6, addr->sin_port);
        *mapped = true;
        return 0;
    }
    return 1;
}

/*
 * Swaps fd onto a replacement already bound to v6; false (errno untouched)
 * if the bind must stay native. A replacement that cannot bind (the port
 * is taken on the IPv6 side, e.g. by the program's own IPv6-only socket
 * on the same port) leaves the AF_INET socket as it was.
 */
static bool swap_for_bind(int fd, const struct sockaddr_in *addr, const struct sockaddr_in6 *v6)
{
    char text[BIA_ADDRSTR_SIZE];
    struct bia_swap_plan plan;
    int saved = errno;

    if (bia_swap_check(fd, &plan) != BIA_SWAP_OK || plan.port)
        return false;
    plan.bind_to = v6;
    if (bia_swap(fd, &plan)) {
        bool expected = errno == EADDRINUSE || errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT;
        bia_log(expected ? BIA_LOG_DEBUG : BIA_LOG_WARN, "bind %s: fd %d stays IPv4: %s",
                bia_sin_str(addr, text), fd, strerror(errno));
        errno = saved;
        return false;
    }
    if (!bia_fdtable_set(fd, &(struct bia_fdinfo){0}))
        bia_warn("fd %d: cannot remember its translation", fd);
    return true;
}

/* A socket made dual-stack at birth (preswap.h) that the kernel should
 * bind as the AF_INET socket it stands for: made one again, if still
 * pristine. */
static bool undo_preswap(int fd, const struct bia_fdinfo *info, const char *why)
{
    return info->v6peer.sin6_family != AF_INET6 && bia_preswap_undo(fd, why);
}

int bia_bind(int fd, const struct sockaddr *given, socklen_t len)
{
    struct sockaddr_in addr;
    struct sockaddr_in6 v6;
    struct bia_fdinfo info;
    bool swapped, native, mapped;
    int rc;

    if (given->sa_family != AF_INET)
        return bia_outbound_wrong_family(fd, given, len) ? -1 : bia_real()->bind(fd, given, len);
    memcpy(&addr, given, sizeof addr);     /* the program's buffer may be unaligned */
    swapped = bia_fdtable_get(fd, &info);
    native = local_v6(&addr, &v6, &mapped) != 0;
    /* One IPv4 address: exactly the kernel's IPv4 answer (EADDRNOTAVAIL,
     * broadcast, IP_FREEBIND), which only an AF_INET socket gives. */
    if (native && swapped && undo_preswap(fd, &info, "a bind to an IPv4 address"))
        swapped = false;
    if (native && !swapped)
        return bia_real()->bind(fd, given, len);
    if (native)
        bia_sin6_mapped(&v6, addr.sin_addr, addr.sin_port);
    if (swapped) {
        rc = bia_real()->bind(fd, (const struct sockaddr *)&v6, sizeof v6);
        /* The port taken on the IPv6 side only: bound natively, as below. */
        if (rc && undo_preswap(fd, &info, "a bind the IPv6 side refused"))
            return bia_real()->bind(fd, given, len);
    } else if (swap_for_bind(fd, &addr, &v6)) {
        rc = 0;
    } else {
        return bia_real()->bind(fd, given, len);
    }
    if (rc == 0) {
        bia_trace_out("bind", &addr, &v6);
        if (mapped)
            bia_usage_bound(fd, addr.sin_addr);   /* the address must keep standing for v6 */
    }
    return rc;
}
