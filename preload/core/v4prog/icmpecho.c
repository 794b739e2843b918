/*
 * The messages are translated through a buffer of the library's own, as
 * large as the program's: a raw socket's IPv4 form is 20 bytes longer
 * than the ICMPv6 message, an error's inner header 20 bytes shorter.
 */
#define _GNU_SOURCE
#include "v4prog/icmpecho.h"

#include "fd/fdroom.h"
#include "fd/sockrec.h"
#include "runtime/msgbuf.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "v4prog/icmpxlat.h"
#include "v4prog/inbound.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The ICMP echo's default TTL, for a raw socket receiving without a
 * control buffer (no hop limit to read). */
#define DEFAULT_TTL 64
/* Larger than any ICMP message: a program's larger buffer is not all lent. */
/* Received beyond the program's buffer: a message is translated whole (its
 * checksum covers it all) even when the program takes less, and one the
 * program gave no room for is still told from one to drop. */
#define SLACK 64

/* The record of fd with its ICMP part set (fill: the other parts kept). */
static void mark(int fd, int type, int parked)
{
    struct bia_sockrec rec;

    if (!bia_sockrec_owned() || !bia_sockrec_identify(fd, &rec))
        return;
    bia_sockrec_fill(fd, &rec);
    rec.parts |= BIA_REC_ICMP;
    rec.icmp_type = type;
    rec.icmp_parked = parked;
    bia_sockrec_put(fd, &rec);
}

void bia_icmp_born(int fd, int type, int protocol)
{
    int twin;

    if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_RAW || protocol != IPPROTO_ICMP)
        return;
    twin = bia_fdroom_socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (twin >= 0)
        mark(fd, 0, twin + 1);   /* no kind yet: not translated */
}

/* The twin parked for fd, if it is still there (the program may have
 * closed its number). */
static int take_parked(int fd)
{
    struct bia_sockrec rec;
    int domain = 0, protocol = 0, twin;
    socklen_t len = sizeof domain;

    if (!bia_sockrec_get(fd, BIA_REC_ICMP, &rec) || !rec.icmp_parked || rec.icmp_v6prog)
        return -1;
    twin = rec.icmp_parked - 1;
    if (getsockopt(twin, SOL_SOCKET, SO_DOMAIN, &domain, &len) || domain != AF_INET6 ||
        getsockopt(twin, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) || protocol != IPPROTO_ICMPV6)
        return -1;
    return twin;
}

int bia_icmp_twin(int fd, int type)
{
    int s = type == SOCK_RAW ? take_parked(fd) : -1;

    return s >= 0 ? s : bia_fdroom_socket(AF_INET6, type | SOCK_CLOEXEC, IPPROTO_ICMPV6);
}

/* The ICMPv6 filter for an ICMP_FILTER (bit n set: type n blocked): what
 * has an ICMPv4 form and is not blocked in that form passes. */
static int set_filter(int s, uint32_t blocked)
{
    struct icmp6_filter filter;

    ICMP6_FILTER_SETBLOCKALL(&filter);
    if (!(blocked & 1u << ICMP_ECHOREPLY))
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    if (!(blocked & 1u << ICMP_DEST_UNREACH)) {
        ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &filter);
    }
    if (!(blocked & 1u << ICMP_TIME_EXCEEDED))
        ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filter);
    return bia_real()->setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
}

void bia_icmp_prepare(int s, int type)
{
    int on = 1;

    if (type != SOCK_RAW)
        return;
    set_filter(s, 0);
    bia_real()->setsockopt(s, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
}

int bia_icmp_filter(int fd, const void *value, socklen_t len)
{
    uint32_t blocked = 0;

    /* As the kernel: a longer value is cut, a shorter one fills the low bytes. */
    memcpy(&blocked, value, len < sizeof blocked ? len : sizeof blocked);
    return set_filter(fd, blocked);
}

void bia_icmp_mark(int fd, int type)
{
    mark(fd, type, 0);
}

int bia_icmp_kind(int fd)
{
    struct bia_sockrec rec;

    return bia_sockrec_get(fd, BIA_REC_ICMP, &rec) && !rec.icmp_v6prog ? rec.icmp_type : 0;
}

ssize_t bia_icmp_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr_in6 *to)
{
    unsigned char *v6;
    ssize_t sent;
    int err;

    if (!buf || n > BIA_MSG_MAX)
        return bia_real()->sendto(fd, buf, n, flags, (const struct sockaddr *)to, to ? sizeof *to : 0);
    v6 = malloc(n ? n : 1);
    if (!v6) {
        errno = ENOBUFS;
        return -1;
    }
    if (bia_icmp_request_to_v6(buf, n, v6)) {
        free(v6);
        errno = EINVAL;     /* what a ping socket says of anything but an echo request */
        return -1;
    }
    sent = bia_real()->sendto(fd, v6, n, flags, (const struct sockaddr *)to, to ? sizeof *to : 0);
    err = errno;
    free(v6);
    errno = err;
    return sent;
}

ssize_t bia_icmp_sendmsg(int fd, const struct msghdr *msg, int flags, const struct sockaddr_in6 *to)
{
    size_t n;
    unsigned char *buf = bia_msg_gather(msg, &n);
    struct sockaddr_in6 dst;
    ssize_t sent;
    int err;

    if (!buf)
        return -1;
    if (!to && msg->msg_name && msg->msg_namelen >= sizeof dst)
        memcpy(&dst, msg->msg_name, sizeof dst);
    sent = bia_icmp_sendto(fd, buf, n, flags, to || msg->msg_name ? (to ? to : &dst) : NULL);
    err = errno;
    free(buf);
    errno = err;
    return sent;
}

static struct in_addr inner_v4(const struct in6_addr *a, bool local)
{
    return local ? bia_inbound_local_v4(a) : bia_inbound_v4(a);
}

/* The hop limit the kernel reported among msg's control messages. */
static int hop_limit(const struct msghdr *msg)
{
    int hops;

    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg); c;
         c = CMSG_NXTHDR((struct msghdr *)msg, c))
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
            c->cmsg_len >= CMSG_LEN(sizeof hops)) {
            memcpy(&hops, CMSG_DATA(c), sizeof hops);
            return hops;
        }
    return DEFAULT_TTL;
}

/* The IPv4 view of a message from `from` on a socket of kind. */
static struct bia_icmp_v4view view_of(const struct sockaddr_in6 *from, const struct msghdr *k,
                                      int kind, int flags)
{
    struct bia_icmp_v4view v = {.raw = kind == SOCK_RAW && !(flags & MSG_ERRQUEUE), .map = inner_v4};
    struct in6_addr any = IN6ADDR_ANY_INIT;

    if (v.raw) {
        v.src = from->sin6_family == AF_INET6 ? bia_inbound_v4(&from->sin6_addr) : bia_inbound_local_v4(&any);
        v.dst.s_addr = htonl(BIA_THIS_HOST_V4);
        v.ttl = (unsigned char)hop_limit(k);
    }
    return v;
}

/* One message from the kernel into in (room bytes), translated into out:
 * the length of its ICMPv4 form, -1 for one without (dropped), or -2
 * with errno for a failed receive (r: what it returned). */
static long receive_one(int fd, struct msghdr *k, int flags, int kind, unsigned char *out,
                        size_t room)
{
    struct sockaddr_in6 from = {.sin6_family = AF_UNSPEC};
    struct bia_icmp_v4view view;
    ssize_t r = bia_real()->recvmsg(fd, k, flags & ~MSG_TRUNC);

    if (r < 0)
        return -2;
    if (k->msg_name && k->msg_namelen >= sizeof from)
        memcpy(&from, k->msg_name, sizeof from);
    view = view_of(&from, k, kind, flags);
    return bia_icmp_to_v4(k->msg_iov[0].iov_base, (size_t)r < room ? (size_t)r : room, out, &view);
}

ssize_t bia_icmp_recvmsg(int fd, struct msghdr *msg, int flags, int kind)
{
    size_t room = bia_msg_room(msg), whole = room + SLACK;
    unsigned char *in = malloc(2 * whole + 20), *out;
    struct sockaddr_storage name;
    struct iovec one = {in, whole};
    struct msghdr k;
    ssize_t r = -1;
    long len;
    int err;

    if (!in) {
        errno = ENOBUFS;
        return -1;
    }
    out = in + whole;
    for (;;) {
        k = *msg;
        k.msg_iov = &one;
        k.msg_iovlen = 1;
        if (!msg->msg_name) {   /* a raw socket's header needs the source */
            k.msg_name = &name;
            k.msg_namelen = sizeof name;
        }
        len = receive_one(fd, &k, flags, kind, out, whole);
        if (len >= 0) {
            if (!msg->msg_name)
                k.msg_namelen = 0;
            r = bia_msg_scatter(msg, &k, out, (size_t)len, room, flags);
            break;
        }
        /* A message without an ICMPv4 form is dropped; a peek would only
         * see it again. */
        if (len == -2 || (flags & MSG_PEEK)) {
            if (len != -2)
                errno = EAGAIN;
            break;
        }
    }
    err = errno;
    free(in);
    errno = err;
    return r;
}
