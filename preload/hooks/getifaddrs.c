/*
 * getifaddrs(): on an IPv4-only network an IPv6 program also finds an IPv6
 * address for each of the host's IPv4 ones (core/v6prog/ifaddrs6.h), as reachable
 * through bia as the IPv4 address itself. freeifaddrs() frees those first.
 */
#include "runtime/config.h"
#include "runtime/real.h"
#include "v6prog/ifaddrs6.h"

#include <ifaddrs.h>

BIA_EXPORT int getifaddrs(struct ifaddrs **ifap)
{
    int rc = bia_real()->getifaddrs(ifap);

    if (rc || !bia_active() || !bia_guard_enter())
        return rc;
    bia_ifaddrs_add(*ifap);
    bia_guard_leave();
    return 0;
}

BIA_EXPORT void freeifaddrs(struct ifaddrs *ifa)
{
    bia_ifaddrs_release(ifa);
    bia_real()->freeifaddrs(ifa);
}
