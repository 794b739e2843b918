/* res_search(), res_nsearch(): like res_query (see there), with the search list. */
#include "names/resquery.h"
#include "runtime/real.h"

BIA_EXPORT int res_nsearch(res_state statp, const char *dname, int class, int type,
                           unsigned char *answer, int anslen)
{
    int rc;

    if (!bia_resquery_is_ours(dname, class, type, true) || !bia_guard_enter())
        return bia_real()->res_nsearch(statp, dname, class, type, answer, anslen);
    rc = bia_resquery_a(statp, dname, true, answer, anslen);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT int res_search(const char *dname, int class, int type, unsigned char *answer,
                          int anslen)
{
    int rc;

    if (!bia_resquery_is_ours(dname, class, type, true) || !bia_guard_enter())
        return bia_real()->res_search(dname, class, type, answer, anslen);
    rc = bia_resquery_a(&_res, dname, true, answer, anslen);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT int __res_nsearch(res_state, const char *, int, int, unsigned char *, int)
    __THROW __attribute__((alias("res_nsearch")));
BIA_EXPORT int __res_search(const char *, int, int, unsigned char *, int)
    __THROW __attribute__((alias("res_search")));
