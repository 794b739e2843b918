/*
 * getaddrinfo(): names asked for as AF_INET go to the helper, which knows
 * the IPv6-only ones (an IPv6 literal is such a name, even with
 * AI_NUMERICHOST); AF_UNSPEC answers without IPv4 get the helper's IPv4
 * addresses appended; AF_INET6 names go to the helper where the network
 * lacks IPv6 for them (synthesized addresses); IPv4 literals, and IPv6
 * ones asked for as AF_INET6, go to libc, without AI_ADDRCONFIG where it
 * would hide the IP version the host lacks but bia serves (addrconfig.h).
 * freeaddrinfo() frees the lists built here itself.
 */
#include "names/addrconfig.h"
#include "names/addrinfo.h"
#include "names/names.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <string.h>

BIA_EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                           struct addrinfo **res)
{
    int family = hints ? hints->ai_family : AF_UNSPEC;
    bool numeric = hints && (hints->ai_flags & AI_NUMERICHOST);
    bool ours = node && !numeric && !strchr(node, ':') && bia_name_is_ours(node);
    struct addrinfo own;
    int rc;

    if ((family != AF_INET && family != AF_INET6 && family != AF_UNSPEC) || !bia_active() ||
        !bia_guard_enter())
        return bia_real()->getaddrinfo(node, service, hints, res);
    if (family == AF_INET && node && bia_name_is_ours(node) && (!numeric || strchr(node, ':')))
        rc = bia_getaddrinfo4(node, service, hints, res);
    else if (family == AF_INET6 && ours)
        rc = bia_getaddrinfo6(node, service, hints, res);
    else if (family == AF_UNSPEC && ours)
        rc = bia_getaddrinfo_any(node, service, bia_addrconfig_hints(node, hints, true, &own), res);
    else
        rc = bia_real()->getaddrinfo(node, service, bia_addrconfig_hints(node, hints, false, &own), res);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT void freeaddrinfo(struct addrinfo *ai)
{
    if (!bia_addrinfo_release(ai))
        bia_real()->freeaddrinfo(ai);
}
