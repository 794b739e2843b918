/*
 * Receives on an ICMPv6 echo socket the twin took over (icmp6echo.h):
 * through a buffer of the library's own, as large as the program's and a
 * raw socket's IPv4 header more (an error's inner header is 20 bytes
 * longer in IPv6 form: a message the program's buffer cannot hold whole
 * is cut, MSG_TRUNC, as the kernel does).
 */
#define _GNU_SOURCE
#include "v6prog/icmp6echo.h"

#include "runtime/msgbuf.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "v6prog/icmp6xlat.h"
#include "v6prog/synth.h"

#include <errno.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>

/* A raw ICMPv4 receive starts with the IPv4 header, at most 60 bytes. */
#define IP4_HDR_MAX 60
/* Received beyond the program's buffer: a message is translated whole
 * (its checksum covers it all) even when the program takes less. */
#define SLACK 64

/* An IPv4 address as the program sees it: synthesized (IPv4-mapped when
 * the helper cannot say). */
static struct in6_addr shown(struct in_addr v4)
{
    struct sockaddr_in6 a;

    bia_sin6_mapped(&a, v4, 0);
    bia_synth_from_v4(v4, &a.sin6_addr);
    return a.sin6_addr;
}

/* The ICMPv6 form of r bytes received at in (a raw socket's: after its
 * IPv4 header), written to out: its length, or -1 for one without. A
 * ping socket's receive names no destination: its checksum is over the
 * unspecified address. */
static long translate(const unsigned char *in, size_t r, const struct sockaddr_in *from, bool raw,
                      unsigned char *out)
{
    struct bia_icmp6_view view = {.dst = IN6ADDR_ANY_INIT, .map = shown};
    struct iphdr ip;
    size_t hl = 0;

    if (from->sin_family == AF_INET)
        view.src = shown(from->sin_addr);
    if (raw) {
        if (r < sizeof ip)
            return -1;
        memcpy(&ip, in, sizeof ip);
        hl = (size_t)ip.ihl * 4;
        if (hl < sizeof ip || r < hl)
            return -1;
        view.src = shown((struct in_addr){ip.saddr});
        view.dst = shown((struct in_addr){ip.daddr});
    }
    return bia_icmp6_from_v4(in + hl, r - hl, out, &view);
}

ssize_t bia_icmp6_recvmsg(int fd, struct msghdr *msg, int flags, const struct bia_v6prog *state)
{
    size_t room = bia_msg_room(msg), whole = room + SLACK + IP4_HDR_MAX;
    unsigned char *in = malloc(2 * whole + 20), *out;
    struct sockaddr_in from;
    struct sockaddr_storage name;
    struct iovec one = {in, whole};
    bool raw = state->icmp == SOCK_RAW && !(flags & MSG_ERRQUEUE);
    struct msghdr k;
    ssize_t r = -1, got;
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
        if (!msg->msg_name) {   /* the checksum needs the source */
            k.msg_name = &name;
            k.msg_namelen = sizeof name;
        }
        got = bia_real()->recvmsg(fd, &k, flags & ~MSG_TRUNC);
        if (got < 0)
            break;
        memset(&from, 0, sizeof from);
        if (k.msg_namelen >= sizeof from)
            memcpy(&from, k.msg_name, sizeof from);
        len = translate(in, (size_t)got < whole ? (size_t)got : whole, &from, raw, out);
        if (len >= 0) {
            if (!msg->msg_name)
                k.msg_namelen = 0;
            r = bia_msg_scatter(msg, &k, out, (size_t)len, room, flags);
            break;
        }
        /* A message without an ICMPv6 form is dropped; a peek would only
         * see it again. */
        if (flags & MSG_PEEK) {
            errno = EAGAIN;
            break;
        }
    }
    err = errno;
    free(in);
    errno = err;
    return r;
}
