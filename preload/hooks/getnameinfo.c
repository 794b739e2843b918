/* getnameinfo(): the host name of a pool or paired IPv4 address is the
 * one the helper made it for, and a synthesized IPv6 address is named as
 * the IPv4 address it stands for (core/names/nameinfo.h); everything else
 * is libc's. */
#include "names/nameinfo.h"
#include "names/reverse.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <netinet/in.h>

static bool ours4(const struct sockaddr *sa, socklen_t salen)
{
    return salen >= sizeof(struct sockaddr_in) && sa->sa_family == AF_INET &&
           bia_reverse_is_ours(((const struct sockaddr_in *)sa)->sin_addr);
}

BIA_EXPORT int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                           socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
    struct in_addr v4;
    int rc;

    if (!bia_active() || !sa || !host || !hostlen || (flags & NI_NUMERICHOST) || !bia_guard_enter())
        return bia_real()->getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
    if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6) &&
        bia_nameinfo_synthesized(sa, &v4))
        rc = bia_getnameinfo6(sa, salen, v4, host, hostlen, serv, servlen, flags);
    else if (ours4(sa, salen))
        rc = bia_getnameinfo4(sa, salen, host, hostlen, serv, servlen, flags);
    else {
        bia_guard_leave();
        return bia_real()->getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
    }
    bia_guard_leave();
    return rc;
}
