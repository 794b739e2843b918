/*
 * The twin is parked rather than made at the swap because ping drops
 * cap_net_raw right after making its sockets; a ping socket's twin needs
 * no privilege but is parked too, so that the options the program sets
 * before its first send reach it as they are set.
 */
#define _GNU_SOURCE
#include "v6prog/icmp6echo.h"

#include "fd/fdroom.h"
#include "runtime/log.h"
#include "runtime/msgbuf.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "v6prog/icmp6xlat.h"
#include "v6prog/synth.h"
#include "v6prog/v4backed.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/icmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Larger than any ICMP message: a program's larger buffer is not all lent. */

void bia_icmp6_born(int fd, int type, int protocol)
{
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), twin;
    struct bia_sockrec rec;

    if (fd < 0 || protocol != IPPROTO_ICMPV6 || (base != SOCK_RAW && base != SOCK_DGRAM) ||
        !bia_sockrec_owned() || bia_v4backed(fd))
        return;
    twin = bia_fdroom_socket(AF_INET, base | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (twin < 0)
        return;     /* it stays an ICMPv6 socket, as without bia */
    if (!bia_sockrec_identify(fd, &rec)) {
        bia_real()->close(twin);
        return;
    }
    bia_sockrec_fill(fd, &rec);
    rec.parts |= BIA_REC_ICMP;
    rec.icmp_type = base;
    rec.icmp_parked = twin + 1;
    rec.icmp_v6prog = true;
    if (!bia_sockrec_put(fd, &rec))
        bia_real()->close(twin);
}

/* fd's ICMP part, if it is an IPv6 program's; no system call when the
 * process has no ICMP socket. */
static bool icmp6_rec(int fd, struct bia_sockrec *rec)
{
    return bia_sockrec_any(BIA_REC_ICMP) && bia_sockrec_get(fd, BIA_REC_ICMP, rec) &&
           rec->icmp_v6prog;
}

/* fd's parked twin, if it is still there (the program may have closed its
 * number); *type gets the socket's type. */
static int parked(int fd, int *type)
{
    struct bia_sockrec rec;
    int domain = 0, protocol = 0, twin;
    socklen_t len = sizeof domain;

    if (!icmp6_rec(fd, &rec) || !rec.icmp_parked)
        return -1;
    twin = rec.icmp_parked - 1;
    if (bia_real()->getsockopt(twin, SOL_SOCKET, SO_DOMAIN, &domain, &len) || domain != AF_INET ||
        bia_real()->getsockopt(twin, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) ||
        protocol != IPPROTO_ICMP)
        return -1;
    *type = rec.icmp_type;
    return twin;
}

/* The ICMP kind of a socket the twin took over. */
static int swapped(int fd)
{
    struct bia_sockrec rec;

    return icmp6_rec(fd, &rec) && !rec.icmp_parked ? rec.icmp_type : 0;
}

int bia_icmp6_kind(int fd)
{
    struct bia_sockrec rec;

    return icmp6_rec(fd, &rec) ? rec.icmp_type : 0;
}

/* The IPv4 address behind an IPv6 destination: synthesized or
 * IPv4-mapped. 1 with *v4 set, 0: a genuine IPv6 one, -1 with errno. */
static int v4_behind(const struct sockaddr *addr, socklen_t len, struct in_addr *v4)
{
    struct sockaddr_in6 a;

    if (!addr || len < sizeof a || addr->sa_family != AF_INET6)
        return 0;
    memcpy(&a, addr, sizeof a);     /* the program's buffer may be unaligned */
    if (bia_v6_is_mapped(&a.sin6_addr, v4))
        return 1;
    if (IN6_IS_ADDR_LOOPBACK(&a.sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&a.sin6_addr) ||
        IN6_IS_ADDR_MULTICAST(&a.sin6_addr) || IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr))
        return 0;
    return bia_synth_to_v4(&a.sin6_addr, v4);
}

/* The twin takes fd, with its file status and close-on-exec flags, and fd
 * is marked as a backed ICMP socket of type. */
static int take_over(int fd, int twin, int type)
{
    int status = bia_real()->fcntl(fd, F_GETFL), fd_flags = bia_real()->fcntl(fd, F_GETFD), err;
    struct bia_sockrec rec;

    if (status >= 0)
        bia_real()->fcntl(twin, F_SETFL, status);
    if (dup3(twin, fd, fd_flags > 0 && (fd_flags & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
        err = errno;
        bia_real()->close(twin);
        errno = err;
        return -1;
    }
    bia_real()->close(twin);
    if (!bia_sockrec_identify(fd, &rec))
        return 0;   /* not after a dup3 that worked: fd is open */
    /* The ICMP part kept (no twin now) tells it from other backed sockets
     * without a system call in processes that have no ICMP socket. */
    rec.parts = BIA_REC_V6PROG | BIA_REC_ICMP;
    rec.v6 = (struct bia_v6prog){.backed = true, .icmp = type};
    rec.icmp_type = type;
    rec.icmp_parked = 0;
    rec.icmp_v6prog = true;
    bia_sockrec_put(fd, &rec);
    bia_info("ICMPv6 echo socket %d (%s): an ICMPv4 one now, for a peer behind a "
             "synthesized address", fd, type == SOCK_RAW ? "raw" : "ping socket");
    return 0;
}

void bia_icmp6_outbound(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct in_addr v4;
    int type, twin, saved = errno;

    if (!bia_sockrec_any(BIA_REC_ICMP) || v4_behind(addr, len, &v4) != 1)
        return;
    twin = parked(fd, &type);
    if (twin >= 0 && take_over(fd, twin, type))
        bia_warn("ICMPv6 echo socket %d stays ICMPv6: its ICMPv4 twin could not take it (%s)", fd,
                 strerror(errno));
    errno = saved;
}

/* An IPv6 program's option on s, an ICMPv4 socket of type. */
static int option_v4(int s, int type, int level, int name, const void *value, socklen_t len)
{
    struct icmp6_filter filter;
    uint32_t blocked;

    if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER && value) {
        memset(&filter, 0, sizeof filter);      /* as the kernel: a shorter value fills the front */
        memcpy(&filter, value, len < sizeof filter ? len : sizeof filter);
        blocked = bia_icmp6_filter_to_v4(&filter);
        return bia_real()->setsockopt(s, SOL_RAW, ICMP_FILTER, &blocked, sizeof blocked);
    }
    /* The kernel computes a raw ICMPv6 socket's checksum; the ICMPv4 one
     * is computed here, always. */
    if (type == SOCK_RAW && level == SOL_RAW && name == IPV6_CHECKSUM) {
        if (len < sizeof(int)) {
            errno = EINVAL;
            return -1;
        }
        return 0;
    }
    return bia_v4backed_setsockopt(s, level, name, value, len);
}

int bia_icmp6_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    int type = swapped(fd), twin, rc, err;

    if (type)
        return option_v4(fd, type, level, name, value, len);
    rc = bia_real()->setsockopt(fd, level, name, value, len);
    err = errno;
    twin = parked(fd, &type);
    if (rc == 0 && twin >= 0 && option_v4(twin, type, level, name, value, len))
        bia_debug("ICMPv6 echo socket %d: its ICMPv4 twin has no option %d/%d (%s)", fd, level,
                  name, strerror(errno));
    errno = err;
    return rc;
}

ssize_t bia_icmp6_sendto(int fd, const void *buf, size_t n, int flags,
                         const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in to;
    unsigned char *v4;
    struct in_addr a;
    ssize_t sent;
    int err;

    bia_icmp6_outbound(fd, addr, len);
    if (!swapped(fd))
        return bia_real()->sendto(fd, buf, n, flags, addr, len);
    if (addr) {
        if (len < sizeof(struct sockaddr_in6) || addr->sa_family != AF_INET6) {
            errno = addr->sa_family == AF_INET6 ? EINVAL : EAFNOSUPPORT;
            return -1;
        }
        if (v4_behind(addr, len, &a) != 1) {
            errno = errno == EHOSTUNREACH ? EHOSTUNREACH : ENETUNREACH;  /* as without IPv6 */
            return -1;
        }
        bia_sin_make(&to, a, 0);
    }
    if (!buf || n > BIA_MSG_MAX)
        return bia_real()->sendto(fd, buf, n, flags, addr ? (struct sockaddr *)&to : NULL,
                                  addr ? sizeof to : 0);
    v4 = malloc(n ? n : 1);
    if (!v4) {
        errno = ENOBUFS;
        return -1;
    }
    if (bia_icmp6_request_to_v4(buf, n, v4)) {
        free(v4);
        errno = EINVAL;     /* what a ping socket says of anything but an echo request */
        return -1;
    }
    sent = bia_real()->sendto(fd, v4, n, flags, addr ? (struct sockaddr *)&to : NULL,
                              addr ? sizeof to : 0);
    err = errno;
    free(v4);
    errno = err;
    return sent;
}

/* The control messages are not sent: an AF_INET socket would ignore the
 * IPv6 ones (a hop limit or source given per message) anyway. */
ssize_t bia_icmp6_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    size_t n;
    unsigned char *buf;
    ssize_t sent;
    int err;

    if (!msg)
        return bia_real()->sendmsg(fd, msg, flags);
    bia_icmp6_outbound(fd, msg->msg_name, msg->msg_namelen);
    if (!swapped(fd))
        return bia_real()->sendmsg(fd, msg, flags);
    buf = bia_msg_gather(msg, &n);
    if (!buf)
        return -1;
    sent = bia_icmp6_sendto(fd, buf, n, flags, msg->msg_name, msg->msg_namelen);
    err = errno;
    free(buf);
    errno = err;
    return sent;
}
