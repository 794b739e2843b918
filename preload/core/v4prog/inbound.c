#include "v4prog/inbound.h"

#include "bia_protocol.h"
#include "client/helper_client.h"
#include "client/mapcache.h"
#include "client/poolfull.h"
#include "client/refusal.h"
#include "runtime/log.h"
#include "runtime/sockaddr.h"
#include "runtime/trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* MAP6 for an address the cache does not know; 0, or EADDRNOTAVAIL ("no
 * address to give you right now") for a refusal that passes: QUOTA,
 * POOL_EXHAUSTED, or TRY_AGAIN (the helper cannot save a new mapping now:
 * its state disk is full). */
static int ask_helper(const struct in6_addr *v6, struct in_addr *v4)
{
    char text[INET6_ADDRSTRLEN], why[BIA_WHY_SIZE];
    struct bia_reply reply;

    v4->s_addr = htonl(INADDR_ANY);
    inet_ntop(AF_INET6, v6, text, sizeof text);
    if (bia_helper_map6(v6, &reply, why)) {
        bia_warn_helper("no IPv4 address for %s (shown as 0.0.0.0): cannot reach the helper: %s",
                        text, why);
        return 0;
    }
    bia_poolfull_note(reply.status);
    if (reply.status != BIA_S_OK) {
        bool passes = reply.status == BIA_S_QUOTA || reply.status == BIA_S_TRY_AGAIN ||
                      reply.status == BIA_S_POOL_EXHAUSTED;
        bia_warn_helper("no IPv4 address for %s%s: the helper answered %s", text,
                        passes ? "" : " (shown as 0.0.0.0)", bia_status_name(reply.status));
        return passes ? EADDRNOTAVAIL : 0;
    }
    if (memcmp(&reply.u.entry.v6, v6, sizeof *v6) ||
        (reply.u.entry.kind != BIA_K_POOL && reply.u.entry.kind != BIA_K_PAIRED &&
         reply.u.entry.kind != BIA_K_NAT64)) {
        bia_warn("no IPv4 address for %s (shown as 0.0.0.0): the helper's MAP6 answer does not fit",
                 text);
        return 0;
    }
    bia_mapcache_put(&reply.u.entry);
    *v4 = reply.u.entry.v4;
    return 0;
}

int bia_inbound_map(const struct in6_addr *a, struct in_addr *v4)
{
    struct bia_entry e;

    v4->s_addr = htonl(INADDR_ANY);
    if (bia_v6_is_mapped(a, v4) || IN6_IS_ADDR_UNSPECIFIED(a))
        return 0;
    if (bia_mapcache_find_v6(a, &e)) {
        *v4 = e.v4;
        return 0;
    }
    return ask_helper(a, v4);
}

struct in_addr bia_inbound_local_v4(const struct in6_addr *a)
{
    struct in_addr v4 = {htonl(INADDR_ANY)};
    struct bia_entry e;

    if (bia_v6_is_mapped(a, &v4) || IN6_IS_ADDR_UNSPECIFIED(a))
        return v4;
    /* bound to a pool or paired address: the program's own choice */
    if (bia_mapcache_find_v6(a, &e))
        return e.v4;
    v4.s_addr = htonl(BIA_THIS_HOST_V4);
    return v4;
}

struct in_addr bia_inbound_v4(const struct in6_addr *a)
{
    struct in_addr v4;

    bia_inbound_map(a, &v4);
    return v4;
}

/* The peer the socket was connected to or accepted from, as recorded then;
 * one recorded as 0.0.0.0 (the helper could not say) is asked for again. */
static bool is_connected_peer(const struct in6_addr *a, const struct bia_fdinfo *info)
{
    return info && info->v6peer.sin6_family == AF_INET6 &&
           IN6_ARE_ADDR_EQUAL(a, &info->v6peer.sin6_addr) &&
           info->v4peer.sin_addr.s_addr != htonl(INADDR_ANY);
}

int bia_inbound_copy_out(const char *call, const struct sockaddr_storage *kernel,
                         socklen_t kernel_len, const struct bia_fdinfo *info, struct sockaddr *dst,
                         socklen_t *len)
{
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)kernel;
    struct sockaddr_in v4;

    if (kernel_len < sizeof *in6 || kernel->ss_family != AF_INET6)
        return bia_sockaddr_copy_out(kernel, kernel_len, dst, len);
    if (is_connected_peer(&in6->sin6_addr, info))
        bia_sin_make(&v4, info->v4peer.sin_addr, in6->sin6_port);
    else
        bia_sin_make(&v4, bia_inbound_v4(&in6->sin6_addr), in6->sin6_port);
    if (call && !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
        bia_trace_in(call, in6, &v4);
    return bia_sockaddr_copy_out(&v4, sizeof v4, dst, len);
}

int bia_inbound_copy_out_local(const struct sockaddr_storage *kernel, socklen_t kernel_len,
                               struct sockaddr *dst, socklen_t *len)
{
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)kernel;
    struct sockaddr_in v4;

    if (kernel_len < sizeof *in6 || kernel->ss_family != AF_INET6)
        return bia_sockaddr_copy_out(kernel, kernel_len, dst, len);
    bia_sin_make(&v4, bia_inbound_local_v4(&in6->sin6_addr), in6->sin6_port);
    return bia_sockaddr_copy_out(&v4, sizeof v4, dst, len);
}
