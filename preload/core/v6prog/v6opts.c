#include "v6prog/v6opts.h"

#include "runtime/log.h"
#include "runtime/real.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* The IPv4 option that does what IPv6 option name does; 0: none. */
static int v4_name(int name)
{
    switch (name) {
    case IPV6_UNICAST_HOPS: return IP_TTL;
    case IPV6_RECVERR: return IP_RECVERR;
    case IPV6_MTU_DISCOVER: return IP_MTU_DISCOVER;     /* the IPV6_PMTUDISC_* values are IP's */
    case IPV6_RECVHOPLIMIT:
    case IPV6_2292HOPLIMIT: return IP_RECVTTL;
    case IPV6_TCLASS: return IP_TOS;
    }
    return 0;
}

int bia_v6opts_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    int rc = bia_real()->setsockopt(fd, level, name, value, len), saved = errno, v, v4 = 0;

    if (rc || level != IPPROTO_IPV6 || !value || len < sizeof v || !(v4 = v4_name(name)))
        return rc;
    memcpy(&v, value, sizeof v);
    /* -1 is IPv6's "the default"; IP_TTL takes -1 too, IP_TOS wants 0. A
     * hop limit of 0 has no IPv4 form: the IPv4 one stays as it was. */
    if (v4 == IP_TOS && v == -1)
        v = 0;
    if ((v4 != IP_TTL || v != 0) && bia_real()->setsockopt(fd, IPPROTO_IP, v4, &v, sizeof v))
        bia_debug("fd %d: IPv6 option %d has no IPv4 effect: %s", fd, name, strerror(errno));
    errno = saved;
    return rc;
}
