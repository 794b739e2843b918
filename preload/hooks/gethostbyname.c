/* gethostbyname(), gethostbyname_r(): host names go to the helper,
 * address literals to libc. */
#include "names/hostent.h"
#include "names/names.h"
#include "runtime/real.h"

BIA_EXPORT struct hostent *gethostbyname(const char *name)
{
    struct hostent *h;

    if (!bia_name_wanted(name) || !bia_guard_enter())
        return bia_real()->gethostbyname(name);
    h = bia_gethostbyname4(name);
    bia_guard_leave();
    return h;
}

BIA_EXPORT int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                               struct hostent **result, int *h_errnop)
{
    int rc;

    if (!bia_name_wanted(name) || !bia_guard_enter())
        return bia_real()->gethostbyname_r(name, ret, buf, buflen, result, h_errnop);
    rc = bia_gethostbyname4_r(name, ret, buf, buflen, result, h_errnop);
    bia_guard_leave();
    return rc;
}
