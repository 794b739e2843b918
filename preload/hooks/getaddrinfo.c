/*
 * getaddrinfo(): names asked for as AF_INET go to the helper, which knows
 * the IPv6-only ones; AF_UNSPEC, AF_INET6 and numeric requests go to libc
 * untouched. freeaddrinfo() frees the lists built here itself.
 */
#include "addrinfo.h"
#include "config.h"
#include "names.h"
#include "real.h"

BIA_EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                           struct addrinfo **res)
{
    int rc;

    if (!bia_active() || !hints || hints->ai_family != AF_INET || !node ||
        (hints->ai_flags & AI_NUMERICHOST) || !bia_name_is_ours(node) || !bia_guard_enter())
        return bia_real()->getaddrinfo(node, service, hints, res);
    rc = bia_getaddrinfo4(node, service, hints, res);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT void freeaddrinfo(struct addrinfo *ai)
{
    if (!bia_addrinfo_release(ai))
        bia_real()->freeaddrinfo(ai);
}
