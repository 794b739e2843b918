/* getnameinfo(): the host name of a pool or paired IPv4 address is the
 * one the helper made it for; everything else is libc's. */
#include "names/nameinfo.h"
#include "names/reverse.h"
#include "runtime/config.h"
#include "runtime/real.h"

BIA_EXPORT int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                           socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
    int rc;

    if (!bia_active() || !sa || salen < sizeof(struct sockaddr_in) || sa->sa_family != AF_INET ||
        !host || !hostlen || (flags & NI_NUMERICHOST) || !bia_guard_enter())
        return bia_real()->getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
    if (!bia_reverse_is_ours(((const struct sockaddr_in *)sa)->sin_addr)) {
        bia_guard_leave();
        return bia_real()->getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
    }
    rc = bia_getnameinfo4(sa, salen, host, hostlen, serv, servlen, flags);
    bia_guard_leave();
    return rc;
}
