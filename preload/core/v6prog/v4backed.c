#include "v6prog/v4backed.h"

#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "v6prog/v6prog.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

int bia_v4backed_socket(int domain, int type, int protocol)
{
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), fd, err;

    fd = bia_real()->socket(domain, type, protocol);
    if (fd >= 0 || errno != EAFNOSUPPORT || domain != AF_INET6 ||
        (base != SOCK_STREAM && base != SOCK_DGRAM))
        return fd;
    err = errno;
    fd = bia_real()->socket(AF_INET, type, protocol);
    if (fd < 0) {
        errno = err;
        return -1;
    }
    bia_v6prog_mark_backed(fd);
    bia_info("socket: the kernel has no IPv6; fd %d is an AF_INET socket standing in for AF_INET6", fd);
    return fd;
}

bool bia_v4backed(int fd)
{
    struct bia_v6prog prog;

    return bia_v6prog_get(fd, &prog) && prog.backed;
}

/* The IPv4 form of an AF_INET6 address; -1 with errno `fail` if it has none. */
static int to_v4(int fd, const struct sockaddr *addr, socklen_t len, struct sockaddr_in *out,
                 int fail, bool connecting)
{
    struct sockaddr_in6 a, mapped;
    struct in_addr v4;
    int rc;

    if (len < sizeof a) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&a, addr, sizeof a);     /* the program's buffer may be unaligned */
    if (IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr)) {
        bia_sin_make(out, (struct in_addr){htonl(INADDR_ANY)}, a.sin6_port);
        return 0;
    }
    rc = bia_v6prog_destination(fd, addr, len, &mapped, connecting);
    if (rc < 0)
        return -1;
    if (rc > 0)
        mapped = a;
    if (!bia_v6_is_mapped(&mapped.sin6_addr, &v4)) {
        errno = fail;
        return -1;
    }
    bia_sin_make(out, v4, a.sin6_port);
    return 0;
}

int bia_v4backed_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in v4;

    if (addr->sa_family != AF_INET6)
        return bia_real()->connect(fd, addr, len);
    if (to_v4(fd, addr, len, &v4, ENETUNREACH, true))
        return -1;
    return bia_real()->connect(fd, (const struct sockaddr *)&v4, sizeof v4);
}

int bia_v4backed_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in v4;

    if (addr->sa_family != AF_INET6)
        return bia_real()->bind(fd, addr, len);
    if (to_v4(fd, addr, len, &v4, EADDRNOTAVAIL, false))
        return -1;
    return bia_real()->bind(fd, (const struct sockaddr *)&v4, sizeof v4);
}

ssize_t bia_v4backed_sendto(int fd, const void *buf, size_t n, int flags,
                            const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in v4;

    if (!addr || len < sizeof(sa_family_t) || addr->sa_family != AF_INET6)
        return bia_real()->sendto(fd, buf, n, flags, addr, len);
    if (to_v4(fd, addr, len, &v4, ENETUNREACH, false))
        return -1;
    return bia_real()->sendto(fd, buf, n, flags, (const struct sockaddr *)&v4, sizeof v4);
}

ssize_t bia_v4backed_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    struct sockaddr_in v4;
    struct msghdr m;

    if (!msg || !msg->msg_name || msg->msg_namelen < sizeof(sa_family_t) ||
        ((const struct sockaddr *)msg->msg_name)->sa_family != AF_INET6)
        return bia_real()->sendmsg(fd, msg, flags);
    if (to_v4(fd, msg->msg_name, msg->msg_namelen, &v4, ENETUNREACH, false))
        return -1;
    m = *msg;
    m.msg_name = &v4;
    m.msg_namelen = sizeof v4;
    return bia_real()->sendmsg(fd, &m, flags);
}

static int int_value(const void *value, socklen_t len, int *out)
{
    if (!value || len < sizeof(int)) {
        errno = value ? EINVAL : EFAULT;
        return -1;
    }
    memcpy(out, value, sizeof *out);
    return 0;
}

/* The IPv4 option an IPv6 one stands for, with the same value; 0: none.
 * The IPV6_PMTUDISC_* values are the IP_PMTUDISC_* ones. */
static int same_value_v4(int name)
{
    switch (name) {
    case IPV6_RECVPKTINFO: return IP_PKTINFO;
    case IPV6_RECVTCLASS: return IP_RECVTOS;
    case IPV6_RECVHOPLIMIT: return IP_RECVTTL;
    case IPV6_RECVERR: return IP_RECVERR;
    case IPV6_MTU_DISCOVER: return IP_MTU_DISCOVER;
    case IPV6_MULTICAST_LOOP: return IP_MULTICAST_LOOP;
    }
    return 0;
}

/* A hop limit or traffic class, where -1 means the default, as the IPv4
 * option it sets; out of -1..255 is EINVAL, as IPv6 checks. */
static int set_byte(int fd, int v4name, int dflt, const void *value, socklen_t len)
{
    int v;

    if (int_value(value, len, &v))
        return -1;
    if (v < -1 || v > 255) {
        errno = EINVAL;
        return -1;
    }
    v = v == -1 ? dflt : v;
    return bia_real()->setsockopt(fd, IPPROTO_IP, v4name, &v, sizeof v);
}

int bia_v4backed_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    int v;

    if (level != IPPROTO_IPV6)
        return bia_real()->setsockopt(fd, level, name, value, len);
    if (same_value_v4(name))
        return bia_real()->setsockopt(fd, IPPROTO_IP, same_value_v4(name), value, len);
    switch (name) {
    case IPV6_V6ONLY:
        if (int_value(value, len, &v))
            return -1;
        bia_v6prog_set_v6only(fd, v != 0);
        return 0;
    case IPV6_TCLASS:
        return set_byte(fd, IP_TOS, 0, value, len);
    case IPV6_UNICAST_HOPS:
        return set_byte(fd, IP_TTL, 64, value, len);     /* -1: IPv4's usual ttl */
    case IPV6_MULTICAST_HOPS:
        return set_byte(fd, IP_MULTICAST_TTL, 1, value, len);
    default:
        return bia_real()->setsockopt(fd, level, name, value, len);
    }
}

/* An int answer in the kernel's way: at most *len bytes, *len set to the size. */
static int int_answer(int v, void *value, socklen_t *len)
{
    if (!len || (int)*len < 0) {
        errno = len ? EINVAL : EFAULT;
        return -1;
    }
    if (*len > sizeof v)
        *len = sizeof v;
    if (*len && !value) {
        errno = EFAULT;
        return -1;
    }
    memcpy(value, &v, *len);
    return 0;
}

int bia_v4backed_getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
    struct bia_v6prog prog;

    if (level == SOL_SOCKET && name == SO_DOMAIN)
        return int_answer(AF_INET6, value, len);
    if (level == SOL_SOCKET && name == SO_PROTOCOL && bia_v6prog_get(fd, &prog) && prog.icmp)
        return int_answer(IPPROTO_ICMPV6, value, len);      /* an ICMPv6 echo socket (icmp6echo.h) */
    if (level != IPPROTO_IPV6)
        return bia_real()->getsockopt(fd, level, name, value, len);
    if (name == IPV6_V6ONLY && bia_v6prog_get(fd, &prog))
        return int_answer(prog.v6only, value, len);
    if (same_value_v4(name))
        return bia_real()->getsockopt(fd, IPPROTO_IP, same_value_v4(name), value, len);
    if (name == IPV6_TCLASS)
        return bia_real()->getsockopt(fd, IPPROTO_IP, IP_TOS, value, len);
    if (name == IPV6_MTU)
        return bia_real()->getsockopt(fd, IPPROTO_IP, IP_MTU, value, len);
    if (name == IPV6_UNICAST_HOPS)
        return bia_real()->getsockopt(fd, IPPROTO_IP, IP_TTL, value, len);
    if (name == IPV6_MULTICAST_HOPS)
        return bia_real()->getsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, value, len);
    return bia_real()->getsockopt(fd, level, name, value, len);
}
