/* gethostbyaddr(), gethostbyaddr_r(): a pool or paired IPv4 address
 * answers with the name it was made for; other addresses go to libc. */
#include "names/hostent.h"
#include "names/reverse.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <string.h>

/* Enters the guard and returns true when the lookup is the library's. */
static bool enter_if_ours(const void *addr, socklen_t len, int type, struct in_addr *v4)
{
    if (!bia_active() || !addr || type != AF_INET || len != sizeof *v4 || !bia_guard_enter())
        return false;
    memcpy(v4, addr, sizeof *v4);
    if (bia_reverse_is_ours(*v4))
        return true;
    bia_guard_leave();
    return false;
}

BIA_EXPORT struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
    struct in_addr v4;
    struct hostent *h;

    if (!enter_if_ours(addr, len, type, &v4))
        return bia_real()->gethostbyaddr(addr, len, type);
    h = bia_gethostbyaddr4(v4);
    bia_guard_leave();
    return h;
}

BIA_EXPORT int gethostbyaddr_r(const void *addr, socklen_t len, int type, struct hostent *ret,
                               char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
    struct in_addr v4;
    int rc;

    if (!enter_if_ours(addr, len, type, &v4))
        return bia_real()->gethostbyaddr_r(addr, len, type, ret, buf, buflen, result, h_errnop);
    rc = bia_gethostbyaddr4_r(v4, ret, buf, buflen, result, h_errnop);
    bia_guard_leave();
    return rc;
}
