#include "v4prog/sockopt.h"

#include "fd/fdtable.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "v4prog/icmpecho.h"
#include "v4prog/preswap.h"
#include "v4prog/swap.h"
#include "v6prog/v6only.h"
#include "v6prog/v6opts.h"

#include <errno.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <string.h>

static const struct {
    int name, name6;
} twins[] = {
    {IP_TOS, IPV6_TCLASS},
    {IP_TTL, IPV6_UNICAST_HOPS},
    {IP_PKTINFO, IPV6_RECVPKTINFO},
    {IP_RECVTOS, IPV6_RECVTCLASS},
    {IP_RECVTTL, IPV6_RECVHOPLIMIT},
    {IP_RECVERR, IPV6_RECVERR},
    {IP_MTU_DISCOVER, IPV6_MTU_DISCOVER},   /* IP_PMTUDISC_* == IPV6_PMTUDISC_* */
};

bool bia_sockopt_v6_twin(int name, int *name6)
{
    for (size_t i = 0; i < sizeof twins / sizeof twins[0]; i++)
        if (twins[i].name == name) {
            *name6 = twins[i].name6;
            return true;
        }
    return false;
}

static bool is_multicast(int name)
{
    switch (name) {
    case IP_ADD_MEMBERSHIP: case IP_DROP_MEMBERSHIP:
    case IP_ADD_SOURCE_MEMBERSHIP: case IP_DROP_SOURCE_MEMBERSHIP:
    case IP_BLOCK_SOURCE: case IP_UNBLOCK_SOURCE: case IP_MSFILTER:
    case IP_MULTICAST_IF: case IP_MULTICAST_TTL: case IP_MULTICAST_LOOP: case IP_MULTICAST_ALL:
    case MCAST_JOIN_GROUP: case MCAST_LEAVE_GROUP: case MCAST_BLOCK_SOURCE:
    case MCAST_UNBLOCK_SOURCE: case MCAST_JOIN_SOURCE_GROUP: case MCAST_LEAVE_SOURCE_GROUP:
    case MCAST_MSFILTER:
        return true;
    }
    return false;
}

/* Sets the twin to the value the kernel now holds at IPPROTO_IP (it has
 * checked and normalised it: IP_TOS given as one byte, IP_TTL -1, ...). */
static void set_twin(int fd, int name, int name6)
{
    int value;
    socklen_t len = sizeof value;

    if (bia_real()->getsockopt(fd, IPPROTO_IP, name, &value, &len) ||
        bia_real()->setsockopt(fd, IPPROTO_IPV6, name6, &value, sizeof value))
        bia_debug("fd %d: IPv4 option %d has no IPv6 effect: %s", fd, name, strerror(errno));
}

/* Whether fd is a socket made dual-stack at birth, still pristine, that
 * was made AF_INET again because option (level, name) needs that. */
static bool undo_preswap(int fd, const struct bia_fdinfo *info, int level, int name)
{
    return info->v6peer.sin6_family != AF_INET6 && !bia_swap_option_bits(level, name) &&
           bia_preswap_undo(fd, "a socket option with no dual-stack equivalent");
}

int bia_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    struct bia_fdinfo info;
    int name6, rc, saved;

    if (!bia_fdtable_get(fd, &info))   /* an IPv6 program's, or not translated */
        return bia_v6opts_setsockopt(fd, level, name, value, len);
    if (undo_preswap(fd, &info, level, name))
        return bia_real()->setsockopt(fd, level, name, value, len);
    if (level == SOL_RAW && name == ICMP_FILTER && value && bia_icmp_kind(fd) == SOCK_RAW)
        return bia_icmp_filter(fd, value, len);
    if (level != IPPROTO_IP)
        return bia_real()->setsockopt(fd, level, name, value, len);
    /* A raw ICMPv6 socket has no IPv4 level: the IPv6 twin alone. */
    if (bia_icmp_kind(fd) == SOCK_RAW && bia_sockopt_v6_twin(name, &name6))
        return bia_real()->setsockopt(fd, IPPROTO_IPV6, name6, value, len);
    if (is_multicast(name)) {
        bia_warn("fd %d: IPv4 multicast option %d refused: the socket was translated to IPv6",
                 fd, name);
        errno = ENOPROTOOPT;
        return -1;
    }
    rc = bia_real()->setsockopt(fd, level, name, value, len);
    saved = errno;
    if (rc == 0 && bia_sockopt_v6_twin(name, &name6))
        set_twin(fd, name, name6);
    errno = saved;
    return rc;
}

int bia_getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
    struct bia_fdinfo info;
    int domain = AF_INET;
    bool is_domain = level == SOL_SOCKET && name == SO_DOMAIN;

    /* An IPv6 option of what the program believes is an AF_INET socket:
     * the kernel's answer for one, once it is one. */
    if (level == IPPROTO_IPV6 && bia_fdtable_get(fd, &info) && !undo_preswap(fd, &info, level, name))
        return bia_real()->getsockopt(fd, level, name, value, len);
    if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY)
        return bia_v6only_getsockopt(fd, value, len);
    if ((!is_domain && !(level == IPPROTO_IP && name == IP_MTU)) || !bia_fdtable_get(fd, &info))
        return bia_real()->getsockopt(fd, level, name, value, len);
    if (!is_domain)
        return bia_real()->getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, value, len);
    /* The kernel checks the buffer and sets *len; only the value differs. */
    if (bia_real()->getsockopt(fd, level, name, value, len))
        return -1;
    memcpy(value, &domain, *len < sizeof domain ? *len : sizeof domain);
    return 0;
}
