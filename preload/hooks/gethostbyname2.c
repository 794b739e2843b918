/* gethostbyname2(), gethostbyname2_r(): AF_INET is gethostbyname's
 * translation; AF_INET6 gets synthesized addresses on an IPv4-only
 * network; other families go to libc. */
#include "names/hostent.h"
#include "names/names.h"
#include "runtime/real.h"

BIA_EXPORT struct hostent *gethostbyname2(const char *name, int af)
{
    struct hostent *h;

    if ((af != AF_INET && af != AF_INET6) || !bia_name_wanted(name) || !bia_guard_enter())
        return bia_real()->gethostbyname2(name, af);
    h = af == AF_INET ? bia_gethostbyname4(name) : bia_gethostbyname6(name);
    bia_guard_leave();
    return h;
}

BIA_EXPORT int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
                                size_t buflen, struct hostent **result, int *h_errnop)
{
    int rc;

    if ((af != AF_INET && af != AF_INET6) || !bia_name_wanted(name) || !bia_guard_enter())
        return bia_real()->gethostbyname2_r(name, af, ret, buf, buflen, result, h_errnop);
    rc = af == AF_INET ? bia_gethostbyname4_r(name, ret, buf, buflen, result, h_errnop)
                       : bia_gethostbyname6_r(name, ret, buf, buflen, result, h_errnop);
    bia_guard_leave();
    return rc;
}
