#define _GNU_SOURCE   /* struct tcp_info: musl declares it only then */
#include "v4prog/preswap.h"

#include "bia_protocol.h"
#include "client/netmode.h"
#include "fd/fdtable.h"
#include "fd/sockhist.h"
#include "fd/sockrec.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "v4prog/dualstack.h"
#include "v4prog/swap.h"

#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static bool translated;         /* atomic: a connect or datagram was translated */

void bia_preswap_note_translation(void)
{
    if (!__atomic_load_n(&translated, __ATOMIC_RELAXED))
        __atomic_store_n(&translated, true, __ATOMIC_RELAXED);
}

static bool candidate(int type, int protocol)
{
    int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

    return (kind == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) ||
           (kind == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP));
}

/* No round trip: the mode as already known, or the process's own past. */
static bool expected(void)
{
    return bia_netmode_known() == BIA_NET_IPV6_ONLY ||
           __atomic_load_n(&translated, __ATOMIC_RELAXED);
}

/* One record: translated without a peer yet, and its history, which says
 * whether the socket is still this descriptor's alone. */
static bool born_translated(int fd, int type, int protocol)
{
    struct bia_sockrec rec;

    if (!bia_sockrec_identify(fd, &rec) || !bia_sockhist_start(&rec, AF_INET, type, protocol))
        return false;
    rec.parts |= BIA_REC_TRANSLATED;
    return bia_sockrec_put(fd, &rec);
}

int bia_preswap_socket(int type, int protocol)
{
    int saved = errno, fd;

    if (!candidate(type, protocol) || !expected())
        return -1;
    fd = bia_real()->socket(AF_INET6, type, protocol);
    if (fd < 0) {
        errno = saved;
        return -1;
    }
    if (bia_dualstack_make(fd) ||
        !born_translated(fd, type, protocol)) {
        bia_real()->close(fd);
        errno = saved;
        return -1;
    }
    errno = saved;
    return fd;
}

bool bia_preswap_pristine(int fd)
{
    struct bia_fdinfo info;
    struct sockaddr_in6 local;
    socklen_t len = sizeof local;
    struct tcp_info tcp;
    socklen_t tcp_len = sizeof tcp;
    int saved = errno, type;
    socklen_t type_len = sizeof type;
    bool pristine;

    if (!bia_fdtable_get(fd, &info) || info.v6peer.sin6_family == AF_INET6)
        return false;
    pristine = !bia_real()->getsockname(fd, (struct sockaddr *)&local, &len) &&
               len == sizeof local && local.sin6_family == AF_INET6 && !local.sin6_port &&
               IN6_IS_ADDR_UNSPECIFIED(&local.sin6_addr) &&
               !bia_real()->getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) &&
               (type != SOCK_STREAM ||
                (!bia_real()->getsockopt(fd, IPPROTO_TCP, TCP_INFO, &tcp, &tcp_len) &&
                 tcp.tcpi_state == TCP_CLOSE));
    errno = saved;
    return pristine;
}

/*
 * A socket on another descriptor too (dup, fork, exec, SCM_RIGHTS: its
 * history ended) stays dual-stack: replacing it on this descriptor would
 * split what the program holds as one socket in two.
 */
bool bia_preswap_undo(int fd, const char *why)
{
    struct bia_sockhist hist;
    int saved = errno;

    if (!bia_preswap_pristine(fd))
        return false;
    if (!bia_sockhist_get(fd, &hist)) {
        bia_debug("fd %d: shared with another descriptor or process, stays dual-stack despite %s",
                  fd, why);
        errno = saved;
        return false;
    }
    if (bia_swap_back(fd)) {
        bia_warn("fd %d: cannot make it AF_INET again for %s: %s", fd, why, strerror(errno));
        errno = saved;
        return false;
    }
    bia_sockrec_closed(fd);     /* a new socket, options set by the library */
    bia_debug("fd %d: made AF_INET again for %s", fd, why);
    errno = saved;
    return true;
}

bool bia_preswap_ioctl_generic(unsigned long request)
{
    switch (request) {
    case FIONBIO: case FIOASYNC: case FIOCLEX: case FIONCLEX:
    case FIONREAD: case TIOCOUTQ: case SIOCOUTQNSD: case SIOCATMARK:
    case FIOGETOWN: case FIOSETOWN: case SIOCGPGRP: case SIOCSPGRP:
    case SIOCGSTAMP_OLD: case SIOCGSTAMPNS_OLD: case SIOCGSTAMP_NEW: case SIOCGSTAMPNS_NEW:
        return true;
    }
    return false;
}
