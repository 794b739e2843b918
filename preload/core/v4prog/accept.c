/*
 * The kernel is always asked for the peer (into a local buffer): the
 * fdtable needs it. The program's addr/len are then filled as the kernel
 * would; if that fails (EFAULT, EINVAL) the connection is closed, as the
 * kernel does when it cannot write the address.
 */
#include "v4prog/accept.h"

#include "fd/fdlife.h"
#include "fd/fdtable.h"
#include "fd/usage.h"
#include "ftp/ftpalg.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "runtime/trace.h"
#include "v4prog/inbound.h"
#include "v6prog/v6prog.h"

#include <errno.h>
#include <string.h>

/*
 * Records the accepted socket and sets *v4peer to its peer as the program
 * sees it; 0, or the errno of the helper's refusal to give the peer an
 * IPv4 address (QUOTA), and nothing recorded.
 */
static int remember(int fd, const struct sockaddr_in6 *peer, struct sockaddr_in *v4peer)
{
    struct bia_fdinfo info = {.v6peer = *peer};
    struct in_addr v4;
    int err = bia_inbound_map(&peer->sin6_addr, &v4);
    bool owned;

    if (err)
        return err;
    bia_sin_make(&info.v4peer, v4, peer->sin6_port);
    if (!IN6_IS_ADDR_V4MAPPED(&peer->sin6_addr))
        bia_trace_in("accept", peer, &info.v4peer);
    owned = bia_sockrec_owned();   /* a child sharing the memory records nothing */
    if (owned)
        bia_usage_begin(fd, NULL, &info);   /* a new socket: any entry on fd is stale */
    if (!owned || !bia_fdtable_set(fd, &info))
        bia_warn("fd %d: cannot remember its translation; getpeername will show IPv6", fd);
    *v4peer = info.v4peer;
    return 0;
}

/* The new connection closed when its address cannot be written, as the kernel does. */
static int fail_closing(int c)
{
    int err = errno;

    bia_fd_closing(c);
    bia_real()->close(c);
    errno = err;
    return -1;
}

/* On a marked listener of an IPv6 program (core/v6prog/v6prog.h): IPv4 clients in
 * synthesized form. */
static int accept_v6prog(int fd, struct sockaddr *addr, socklen_t *len, int flags,
                         const struct bia_v6prog *listener)
{
    struct sockaddr_storage peer;
    socklen_t peer_len = sizeof peer;
    struct bia_v6prog client = {.backed = listener->backed};    /* no connected peer to match */
    int c = bia_real()->accept4(fd, (struct sockaddr *)&peer, &peer_len, flags);

    if (c < 0)
        return -1;
    bia_v6prog_mark_accepted(c, listener);
    if (!addr || bia_v6prog_copy_out(&peer, peer_len, &client, addr, len) == 0)
        return c;
    return fail_closing(c);
}

int bia_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    struct sockaddr_storage peer;
    socklen_t peer_len = sizeof peer;
    struct bia_fdinfo listener;
    struct bia_v6prog prog;
    struct sockaddr_in v4;
    char text[BIA_ADDRSTR_SIZE];
    int c, err;

    if (!bia_fdtable_get(fd, &listener))
        return bia_v6prog_get(fd, &prog) ? accept_v6prog(fd, addr, len, flags, &prog)
                                          : bia_real()->accept4(fd, addr, len, flags);
    c = bia_real()->accept4(fd, (struct sockaddr *)&peer, &peer_len, flags);
    if (c < 0)
        return -1;
    if (peer.ss_family == AF_INET6 && peer_len >= sizeof(struct sockaddr_in6)) {
        /* A peer the program cannot be shown (quota) is not let in at all:
         * 0.0.0.0 would be a wrong answer, and a server goes on after a
         * failed accept. */
        err = remember(c, (const struct sockaddr_in6 *)&peer, &v4);
        if (err) {
            bia_warn("accept from %s: connection closed: %s",
                     bia_sin6_str((const struct sockaddr_in6 *)&peer, text), strerror(err));
            errno = err;
            return fail_closing(c);
        }
        if (!IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)&peer)->sin6_addr))
            bia_ftp_accepted(c);
        memcpy(&peer, &v4, sizeof v4);
        peer_len = sizeof v4;
    }
    if (!addr || bia_sockaddr_copy_out(&peer, peer_len, addr, len) == 0)
        return c;
    return fail_closing(c);
}
