/*
 * An IPv6 address is shown to the program as the IPv4 address that stands
 * for it: the address the program itself connected to for the peer, else
 * the one in the mapping cache, else the one MAP6 gives (for the local
 * address, a pool address allocated for it).
 */
#include "sockname.h"

#include "bia_protocol.h"
#include "fdtable.h"
#include "helper_client.h"
#include "log.h"
#include "mapcache.h"
#include "real.h"
#include "sockaddr.h"

#include <arpa/inet.h>
#include <string.h>

/* The IPv4 address that stands for v6 (0.0.0.0 if the helper cannot say). */
static struct in_addr stand_in(const struct in6_addr *v6)
{
    char text[INET6_ADDRSTRLEN], why[BIA_WHY_SIZE];
    struct bia_reply reply;
    struct bia_entry e;
    struct in_addr none = {INADDR_ANY};

    if (bia_mapcache_find_v6(v6, &e))
        return e.v4;
    inet_ntop(AF_INET6, v6, text, sizeof text);
    if (bia_helper_map6(v6, &reply, why)) {
        bia_warn("no IPv4 address for %s: cannot reach the helper: %s", text, why);
        return none;
    }
    if (reply.status != BIA_S_OK) {
        bia_warn("no IPv4 address for %s: the helper answered %s", text,
                 bia_status_name(reply.status));
        return none;
    }
    if (memcmp(&reply.u.entry.v6, v6, sizeof *v6) ||
        (reply.u.entry.kind != BIA_K_POOL && reply.u.entry.kind != BIA_K_PAIRED)) {
        bia_warn("no IPv4 address for %s: the helper's MAP6 answer does not fit", text);
        return none;
    }
    bia_mapcache_put(&reply.u.entry);
    return reply.u.entry.v4;
}

static struct in_addr v4_for(const struct in6_addr *a, const struct bia_fdinfo *info, bool peer)
{
    struct in_addr v4 = {htonl(INADDR_ANY)};

    if (bia_v6_is_mapped(a, &v4) || IN6_IS_ADDR_UNSPECIFIED(a))
        return v4;
    if (peer && IN6_ARE_ADDR_EQUAL(a, &info->v6peer.sin6_addr))
        return info->v4peer.sin_addr;
    return stand_in(a);
}

int bia_sockname(int fd, struct sockaddr *addr, socklen_t *len, bool peer)
{
    int (*real)(int, struct sockaddr *, socklen_t *) =
        peer ? bia_real()->getpeername : bia_real()->getsockname;
    struct sockaddr_storage kernel;
    socklen_t kernel_len = sizeof kernel;
    struct bia_fdinfo info;
    const struct sockaddr_in6 *in6;
    struct sockaddr_in v4;

    if (!bia_fdtable_get(fd, &info))
        return real(fd, addr, len);
    if (real(fd, (struct sockaddr *)&kernel, &kernel_len))
        return -1;
    if (kernel.ss_family != AF_INET6)
        return bia_sockaddr_copy_out(&kernel, kernel_len, addr, len);
    in6 = (const struct sockaddr_in6 *)&kernel;
    bia_sin_make(&v4, v4_for(&in6->sin6_addr, &info, peer), in6->sin6_port);
    return bia_sockaddr_copy_out(&v4, sizeof v4, addr, len);
}
