/*
 * A lift is a part of the socket's record (sockrec.h): a dup copies it, a
 * close ends it, and a descriptor reused for another socket is not
 * believed. A socket inherited across exec answers what the kernel says
 * (0).
 */
#include "v6prog/v6only.h"

#include "fd/sockrec.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

static bool is_mapped(const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in6 dst;
    struct in_addr ignored;

    if (len < sizeof dst)
        return false;
    memcpy(&dst, addr, sizeof dst);     /* the program's buffer may be unaligned */
    return dst.sin6_family == AF_INET6 && bia_v6_is_mapped(&dst.sin6_addr, &ignored);
}

/* Records that bia lifted the option on fd's socket, or that it no
 * longer is. */
static void record(int fd, bool lifted)
{
    struct bia_sockrec rec;

    if (!bia_sockrec_identify(fd, &rec))
        return;
    bia_sockrec_fill(fd, &rec);
    if (lifted)
        rec.parts |= BIA_REC_LIFTED;
    else if (rec.parts & BIA_REC_LIFTED)
        rec.parts &= ~BIA_REC_LIFTED;
    else
        return;
    bia_sockrec_put(fd, &rec);
}

bool bia_v6only_lift(int fd)
{
    int on = 0, off = 0, saved = errno;
    socklen_t optlen = sizeof on;
    bool done = false;

    if (!bia_real()->getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &optlen) && on &&
        !bia_real()->setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off)) {
        record(fd, true);
        done = true;
    }
    errno = saved;
    return done;
}

void bia_v6only_restore(int fd)
{
    int on = 1, saved = errno;

    bia_real()->setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    record(fd, false);
    errno = saved;
}

void bia_v6only_before_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    if (is_mapped(addr, len))
        bia_v6only_lift(fd);
}

static bool was_lifted(int fd)
{
    struct bia_sockrec rec;

    return bia_sockrec_get(fd, BIA_REC_LIFTED, &rec);
}

int bia_v6only_getsockopt(int fd, void *value, socklen_t *len)
{
    int one = 1;

    /* The kernel checks the buffer and sets *len; only the value differs. */
    if (bia_real()->getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, value, len))
        return -1;
    if (was_lifted(fd))
        memcpy(value, &one, *len < sizeof one ? *len : sizeof one);
    return 0;
}
