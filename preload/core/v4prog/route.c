#include "v4prog/route.h"

#include "bia_protocol.h"
#include "client/helper_client.h"
#include "client/mapcache.h"
#include "client/maptable.h"
#include "client/netmode.h"
#include "client/refusal.h"
#include "client/status.h"
#include "runtime/log.h"
#include "runtime/sockaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* NAT64: v6 is the address the network's NAT64 gives the IPv4 address. */
static bool has_partner(const struct bia_entry *e)
{
    return e->kind == BIA_K_PAIRED || e->kind == BIA_K_POOL || e->kind == BIA_K_NAT64;
}

static enum bia_route fail(int *err, int value)
{
    *err = value;
    return BIA_ROUTE_FAIL;
}

/* Asks MAP4 (the helper's published table first, for a pool address); a
 * pool address the helper does not know cannot be reached. */
static enum bia_route ask_helper(struct in_addr v4, bool in_pool, struct in6_addr *v6, int *err)
{
    char text[INET_ADDRSTRLEN], why[BIA_WHY_SIZE];
    struct bia_reply reply;

    if (in_pool && bia_maptable_find_v4(v4, v6))
        return BIA_ROUTE_V6;
    inet_ntop(AF_INET, &v4, text, sizeof text);
    if (bia_helper_map4(v4, &reply, why)) {
        bia_warn_helper("connect to %s: cannot reach the helper: %s", text, why);
        return fail(err, EHOSTUNREACH);
    }
    if (reply.status == BIA_S_OK && reply.u.entry.v4.s_addr != v4.s_addr) {
        bia_warn("connect to %s: the helper answered MAP4 for another address", text);
        return fail(err, EHOSTUNREACH);
    }
    if (reply.status == BIA_S_OK && has_partner(&reply.u.entry)) {
        bia_mapcache_put(&reply.u.entry);
        *v6 = reply.u.entry.v6;
        return BIA_ROUTE_V6;
    }
    if (reply.status == BIA_S_OK || reply.status == BIA_S_NOT_FOUND) {
        if (in_pool) {
            bia_warn("connect to %s: this pool address is unknown to the helper", text);
            return fail(err, EHOSTUNREACH);
        }
        bia_mapcache_put_native(v4);
        return BIA_ROUTE_NATIVE;
    }
    bia_warn_helper("connect to %s: the helper answered MAP4 with %s", text,
             bia_status_name(reply.status));
    return fail(err, bia_status_to_errno(reply.status));
}

enum bia_route bia_route_v4(struct in_addr v4, struct in6_addr *v6, int *err)
{
    struct bia_netmode mode;
    struct bia_entry e;
    bool in_pool, known;

    if (bia_v4_is_special(v4))
        return BIA_ROUTE_NATIVE;
    /* A pool address goes to IPv6 whatever the network, so it needs no
     * HELLO: the process may know it already, and bia run puts the pool in
     * the environment. */
    known = bia_mapcache_find_v4(v4, &e);
    if (known && e.kind == BIA_K_POOL) {
        *v6 = e.v6;
        return BIA_ROUTE_V6;
    }
    if (bia_netmode_in_env_pool(v4))
        return ask_helper(v4, true, v6, err);
    bia_netmode_get(&mode);
    in_pool = bia_netmode_in_pool(&mode, v4);
    if (!in_pool && mode.network != BIA_NET_IPV6_ONLY)
        return BIA_ROUTE_NATIVE;
    if (known) {
        if (has_partner(&e)) {
            *v6 = e.v6;
            return BIA_ROUTE_V6;
        }
        /* A remembered "no partner" settles a real address; a pool
         * address must have one, so ask again. */
        if (!in_pool)
            return BIA_ROUTE_NATIVE;
    }
    return ask_helper(v4, in_pool, v6, err);
}

/* The IPv6 peer bia stands v4 in for, as far as this process can tell
 * without asking: its mapping cache, or the helper's published table. */
static bool stands_for(struct in_addr v4, const struct bia_netmode *mode, struct in6_addr *v6)
{
    struct bia_entry e;

    if (bia_mapcache_find_v4(v4, &e) && (e.kind == BIA_K_PAIRED || e.kind == BIA_K_POOL)) {
        *v6 = e.v6;
        return true;
    }
    return bia_netmode_in_pool(mode, v4) && bia_maptable_find_v4(v4, v6);
}

void bia_route_explain(const char *call, const struct sockaddr_in *dst, int err)
{
    struct bia_netmode mode;
    char text[BIA_ADDRSTR_SIZE], peer[INET6_ADDRSTRLEN];
    struct in6_addr v6;
    bool known;

    if (err != ENETUNREACH || bia_v4_is_special(dst->sin_addr))
        return;
    bia_netmode_get(&mode);
    if (mode.network != BIA_NET_IPV6_ONLY)
        return;
    /* A TCP, UDP or ICMP echo socket would have gone to the partner:
     * this one is a raw socket of another protocol, or one bound to an
     * IPv4 address. */
    known = stands_for(dst->sin_addr, &mode, &v6);
    if (known || bia_netmode_in_pool(&mode, dst->sin_addr)) {
        if (known)
            inet_ntop(AF_INET6, &v6, peer, sizeof peer);
        else
            snprintf(peer, sizeof peer, "an IPv6 peer");
        bia_warn("%s %s: %s: bia stands this address in for %s, but translates TCP, UDP and "
                 "ICMP echo sockets only (not raw sockets of other protocols, nor a socket "
                 "bound to an IPv4 address)",
                 call, bia_sin_str(dst, text), strerror(err), peer);
        return;
    }
    bia_warn("%s %s: %s: an IPv4-only destination on an IPv6-only network, and the helper "
             "knows no NAT64 to reach it through (none found by ipv4only.arpa discovery, or "
             "nat64 is off)", call, bia_sin_str(dst, text), strerror(err));
}
