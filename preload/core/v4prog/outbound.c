/*
 * Swap on demand: an AF_INET socket stays a genuine AF_INET socket until
 * a connect (or a sendto, core/v4prog/send.c) needs an IPv6 peer, or a bind makes
 * it a server (core/v4prog/bindv4.c). Once swapped, the descriptor is in the
 * fdtable and every later connect on it (a non-blocking connect being
 * polled, a UDP socket connected elsewhere) is given in IPv6 form.
 */
#include "v4prog/outbound.h"

#include "client/netmode.h"
#include "fd/fdtable.h"
#include "fd/usage.h"
#include "ftp/ftpalg.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "runtime/trace.h"
#include "v4prog/preswap.h"
#include "v4prog/route.h"
#include "v4prog/swap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

static int fail(int err)
{
    errno = err;
    return -1;
}

static bool same_peer(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
    return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* The swap needs a descriptor of its own (fdroom.h); when even that found
 * none, the kernel's answer for a connect or send short of resources. */
static int swap_failed(int fd, const struct sockaddr_in *dst)
{
    char text[BIA_ADDRSTR_SIZE];
    int err = errno;

    if (err == EMFILE) {
        bia_warn("connect %s: fd %d: no descriptor left for the IPv6 socket that reaches it "
                 "(the open-file limit and its hard limit are reached); failing with ENOBUFS: "
                 "raise the limit (ulimit -n)", bia_sin_str(dst, text), fd);
        return fail(ENOBUFS);
    }
    bia_warn("connect %s: cannot swap fd %d to IPv6: %s", bia_sin_str(dst, text), fd,
             strerror(err));
    return fail(err);
}

/*
 * First translated connect on fd. Returns 0 once the socket is AF_INET6,
 * 1 when the connect must go to the kernel as the program gave it, -1
 * with errno when it must fail.
 */
static int prepare_socket(int fd, const struct sockaddr_in *dst, enum bia_route route, int err)
{
    char text[BIA_ADDRSTR_SIZE];
    struct bia_swap_plan plan;

    switch (bia_swap_check(fd, &plan)) {
    case BIA_SWAP_NOT_INET:
        return 1;
    case BIA_SWAP_KEEP:
        bia_warn("connect %s: fd %d is bound to an IPv4 address or already in use; "
                 "left untranslated", bia_sin_str(dst, text), fd);
        return 1;
    case BIA_SWAP_OK:
        break;
    }
    if (route == BIA_ROUTE_FAIL)
        return fail(err);
    if (bia_swap(fd, &plan))
        return swap_failed(fd, dst);
    return 0;
}

/* Records fd's translation once per change: one getpid (and an fstat
 * unless id names the socket already). A connect also reports the mapping
 * it now uses (usage.h), and the end of before's (NULL: fd had no entry).
 * A child sharing its parent's memory records nothing (newproc.h). */
static void remember(int fd, const struct bia_fdid *id, const struct bia_fdinfo *before,
                     const struct bia_fdinfo *info, bool connecting)
{
    bool owned = bia_sockrec_owned();

    if (connecting && owned)
        bia_usage_begin(fd, before, info);
    if (!owned || !bia_fdtable_set_id(fd, id, info))
        bia_warn("fd %d: cannot remember its translation; getpeername will show IPv6", fd);
}

/* IPv4 multicast has no IPv6 counterpart here (draft section 7). */
static int refuse_multicast(int fd, const struct sockaddr_in *dst)
{
    char text[BIA_ADDRSTR_SIZE];

    bia_warn("fd %d: %s is IPv4 multicast, which a translated socket cannot reach (%s)", fd,
             bia_sin_str(dst, text), strerror(ENETUNREACH));
    return fail(ENETUNREACH);
}

/* Where the connect goes, in IPv6 form; or 1 / -1 as prepare_socket(). */
int bia_outbound_target(int fd, const struct sockaddr_in *dst, bool connecting,
                        struct sockaddr_in6 *to, bool *translated)
{
    struct bia_fdinfo info;
    struct bia_fdid id;
    struct in6_addr v6;
    bool swapped = bia_fdtable_get_id(fd, &info, &id);
    enum bia_route route;
    int err = 0, rc;

    *translated = false;
    /* A socket made dual-stack at birth and not used yet is given back its
     * AF_INET self for multicast, which it then does natively. */
    if (swapped && IN_MULTICAST(ntohl(dst->sin_addr.s_addr)) &&
        info.v6peer.sin6_family != AF_INET6 && bia_preswap_undo(fd, "IPv4 multicast"))
        return 1;
    if (swapped && IN_MULTICAST(ntohl(dst->sin_addr.s_addr)))
        return refuse_multicast(fd, dst);
    if (swapped && info.v6peer.sin6_family == AF_INET6 && same_peer(dst, &info.v4peer)) {
        *to = info.v6peer;      /* the same connect again: no new decision */
        *translated = !IN6_IS_ADDR_V4MAPPED(&to->sin6_addr);
        return 0;
    }
    route = bia_route_v4(dst->sin_addr, &v6, &err);
    if (!swapped) {
        if (route == BIA_ROUTE_NATIVE)
            return 1;
        rc = prepare_socket(fd, dst, route, err);
        if (rc)
            return rc;
    } else if (route == BIA_ROUTE_FAIL) {
        return fail(err);
    }
    *translated = route == BIA_ROUTE_V6;
    if (*translated) {
        bia_sin6_make(to, &v6, dst->sin_port);
        bia_preswap_note_translation();
    }
    else
        bia_sin6_mapped(to, dst->sin_addr, dst->sin_port);
    if (connecting)
        remember(fd, &id, swapped ? &info : NULL, &(struct bia_fdinfo){.v4peer = *dst, .v6peer = *to}, true);
    else if (!swapped)
        remember(fd, &id, NULL, &(struct bia_fdinfo){0}, false);  /* a datagram: swapped, no peer */
    if (connecting && *translated && bia_ftp_port(dst->sin_port))
        bia_ftp_mark(fd, (struct bia_ftpctl){0});
    return 0;
}

static int connect4(int fd, const struct sockaddr_in *dst, socklen_t len, bool retried);

/*
 * A native connect that finds no IPv4 route may have met a network that
 * just lost IPv4 (roaming) before the cached network mode noticed: the
 * helper is asked again and, if the network changed, the connect is routed
 * again under the new mode (once). The kernel leaves a socket whose connect
 * failed for lack of a route unconnected and unbound, so it can still be
 * swapped.
 */
static int connect_native(int fd, const struct sockaddr_in *dst, socklen_t len, bool retried)
{
    struct bia_netmode mode;
    int err;

    if (bia_real()->connect(fd, (const struct sockaddr *)dst, len) == 0)
        return 0;
    err = errno;
    if (err == ENETUNREACH && !retried && bia_netmode_recheck(&mode))
        return connect4(fd, dst, len, true);
    bia_route_explain("connect", dst, err);
    errno = err;
    return -1;
}

/* As connect_native, for a native destination given in v4-mapped form to
 * a swapped socket (one made dual-stack at birth, on an IPv6-only network). */
static int connect_mapped(int fd, const struct sockaddr_in *dst, const struct sockaddr_in6 *to,
                          socklen_t len, bool retried)
{
    struct bia_netmode mode;
    int err;

    if (bia_real()->connect(fd, (const struct sockaddr *)to, sizeof *to) == 0)
        return 0;
    err = errno;
    if (err == ENETUNREACH && !retried && bia_netmode_recheck(&mode)) {
        /* Unconnected still: routed afresh, not as "the same connect again". */
        bia_fdtable_set(fd, &(struct bia_fdinfo){0});
        return connect4(fd, dst, len, true);
    }
    bia_route_explain("connect", dst, err);
    errno = err;
    return -1;
}

static int connect4(int fd, const struct sockaddr_in *dst, socklen_t len, bool retried)
{
    struct sockaddr_in6 to;
    bool translated;
    int rc = bia_outbound_target(fd, dst, true, &to, &translated);

    if (rc < 0)
        return -1;
    if (rc > 0)
        return connect_native(fd, dst, len, retried);
    if (!translated)
        return connect_mapped(fd, dst, &to, len, retried);
    bia_trace_out("connect", dst, &to);
    return bia_real()->connect(fd, (const struct sockaddr *)&to, sizeof to);
}

int bia_connect4(int fd, const struct sockaddr_in *dst, socklen_t len)
{
    return connect4(fd, dst, len, false);
}

bool bia_outbound_wrong_family(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct bia_fdinfo info;

    if (!addr || len < sizeof(struct sockaddr_in) || addr->sa_family == AF_INET ||
        addr->sa_family == AF_UNSPEC || !bia_fdtable_get(fd, &info))
        return false;
    errno = EAFNOSUPPORT;
    return true;
}
