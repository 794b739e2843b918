/*
 * Only a complete sockaddr_in destination is looked at; anything else goes
 * to the kernel as given, which answers with its own errno. The first
 * datagram to an IPv6-only peer swaps an unbound or any-bound socket, as a
 * connect would; later ones on the swapped socket go out in IPv6 form.
 */
#define _GNU_SOURCE
#include "v4prog/send.h"

#include "fd/fdtable.h"
#include "runtime/real.h"
#include "runtime/trace.h"
#include "v4prog/cmsg.h"
#include "v4prog/icmpecho.h"
#include "v4prog/outbound.h"
#include "v4prog/route.h"
#include "v6prog/v6prog.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* Room for translated control messages; larger ones go out as given. */
#define CONTROL_MAX 1024

/*
 * 0 with *to set, 1 to send as given, -1 with errno (see
 * bia_outbound_target). A translated destination is traced as call, unless
 * call is NULL (a look ahead, not the send itself).
 */
static int destination(const char *call, int fd, const void *name, socklen_t len,
                       struct sockaddr_in6 *to, bool *translated)
{
    struct sockaddr_in dst;
    int rc;

    if (!name || len < sizeof dst || len > sizeof(struct sockaddr_storage))
        return 1;
    memcpy(&dst, name, sizeof dst);     /* the program's buffer may be unaligned */
    if (dst.sin_family != AF_INET) {
        if (bia_outbound_wrong_family(fd, name, len))
            return -1;
        *translated = false;
        return bia_v6prog_destination(fd, name, len, to, false);
    }
    rc = bia_outbound_target(fd, &dst, false, to, translated);
    if (rc == 0 && *translated && call)
        bia_trace_out(call, &dst, to);
    return rc;
}

/* To the native destination addr (given as the program asked, or in
 * v4-mapped form as `via` on a swapped socket); an IPv4 destination the
 * network cannot reach is explained. */
static ssize_t send_native(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr,
                           socklen_t len, const struct sockaddr_in6 *via)
{
    ssize_t sent = via ? bia_real()->sendto(fd, buf, n, flags, (const struct sockaddr *)via, sizeof *via)
                       : bia_real()->sendto(fd, buf, n, flags, addr, len);
    struct sockaddr_in dst;
    int err = errno;

    if (sent < 0 && err == ENETUNREACH && addr && len >= sizeof dst) {
        memcpy(&dst, addr, sizeof dst);
        if (dst.sin_family == AF_INET)
            bia_route_explain("sendto", &dst, err);
        errno = err;
    }
    return sent;
}

ssize_t bia_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr,
                   socklen_t len)
{
    struct sockaddr_in6 to;
    bool translated;
    int rc = destination("sendto", fd, addr, len, &to, &translated);

    if (rc < 0)
        return -1;
    if (rc > 0 || !translated)
        return send_native(fd, buf, n, flags, addr, len, rc > 0 ? NULL : &to);
    if (bia_icmp_kind(fd))
        return bia_icmp_sendto(fd, buf, n, flags, &to);
    return bia_real()->sendto(fd, buf, n, flags, (const struct sockaddr *)&to, sizeof to);
}

/*
 * Towards an IPv6 destination, m's IPv4 control messages become their IPv6
 * twins in buf. They stay as they are when they do not fit: IPv4-level
 * messages still work towards a v4-mapped peer.
 */
static void control_to_v6(struct msghdr *m, void *buf, size_t size)
{
    long len;

    if (!m->msg_control || !m->msg_controllen || (len = bia_cmsg_to_v6(m, buf, size)) < 0)
        return;
    m->msg_control = buf;
    m->msg_controllen = (size_t)len;
}

/* Room for the IPv6 form of n bytes of IPv4 control messages: each IPv6
 * message is less than twice the size of its IPv4 twin. */
static size_t control_room(size_t n)
{
    return n > CONTROL_MAX / 2 ? 0 : (2 * n + 7) & ~(size_t)7;
}

/* A socket connected, through the library, to a real IPv6 peer. */
static bool connected_to_v6(int fd)
{
    struct bia_fdinfo info;

    return bia_fdtable_get(fd, &info) && info.v6peer.sin6_family == AF_INET6 &&
           !IN6_IS_ADDR_V4MAPPED(&info.v6peer.sin6_addr);
}

ssize_t bia_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    unsigned char control[CONTROL_MAX] __attribute__((aligned(8)));
    struct sockaddr_in6 to;
    struct msghdr m;
    bool translated = false;
    int rc = msg ? destination("sendmsg", fd, msg->msg_name, msg->msg_namelen, &to, &translated) : 1;

    if (rc < 0)
        return -1;
    if (rc > 0 && !(msg && !msg->msg_name && msg->msg_controllen && connected_to_v6(fd)))
        return bia_real()->sendmsg(fd, msg, flags);
    m = *msg;
    if (rc == 0) {
        m.msg_name = &to;
        m.msg_namelen = sizeof to;
    } else {
        translated = true;      /* no name: to the IPv6 peer it is connected to */
    }
    if (translated)
        control_to_v6(&m, control, sizeof control);
    if (translated && bia_icmp_kind(fd))
        return bia_icmp_sendmsg(fd, &m, flags, NULL);
    return bia_real()->sendmsg(fd, &m, flags);
}

int bia_sendmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags)
{
    struct sockaddr_in6 *to, to6;
    struct mmsghdr *copy;
    unsigned char *control;
    unsigned int i, n;
    size_t room = 0;
    bool translated;
    int r, rc, err;

    if (!v || !vlen)
        return bia_real()->sendmmsg(fd, v, vlen, flags);
    if (vlen > UIO_MAXIOV)
        vlen = UIO_MAXIOV;   /* the kernel's own limit */
    /* A batch with nothing to translate (a resolver's queries on a connected
     * socket) goes out as it is, without allocating. */
    for (n = 0; n < vlen; n++)
        if (destination(NULL, fd, v[n].msg_hdr.msg_name, v[n].msg_hdr.msg_namelen, &to6, &translated) <= 0)
            break;
    if (n == vlen)
        return bia_real()->sendmmsg(fd, v, vlen, flags);
    for (n = 0; n < vlen; n++)
        room += control_room(v[n].msg_hdr.msg_controllen);
    copy = malloc(vlen * (sizeof *copy + sizeof *to) + 8 + room);
    if (!copy) {
        errno = ENOMEM;
        return -1;
    }
    to = (struct sockaddr_in6 *)(copy + vlen);
    control = (unsigned char *)(((uintptr_t)(to + vlen) + 7) & ~(uintptr_t)7);   /* cmsg alignment */
    /* A destination that must fail ends the batch before it, as an error would. */
    for (n = 0; n < vlen; n++) {
        copy[n] = v[n];
        rc = destination("sendmmsg", fd, v[n].msg_hdr.msg_name, v[n].msg_hdr.msg_namelen, &to[n],
                         &translated);
        if (rc < 0)
            break;
        if (rc == 0) {
            copy[n].msg_hdr.msg_name = &to[n];
            copy[n].msg_hdr.msg_namelen = sizeof to[n];
        }
        if (rc == 0 ? translated : !v[n].msg_hdr.msg_name && connected_to_v6(fd))
            control_to_v6(&copy[n].msg_hdr, control, control_room(v[n].msg_hdr.msg_controllen));
        control += control_room(v[n].msg_hdr.msg_controllen);
    }
    r = n ? bia_real()->sendmmsg(fd, copy, n, flags) : -1;
    for (i = 0; r > 0 && i < (unsigned)r; i++)
        v[i].msg_len = copy[i].msg_len;
    err = errno;
    free(copy);
    errno = err;
    return r;
}
