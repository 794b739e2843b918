/* res_query(), res_nquery(): "IN A" questions for host names are answered
 * from the helper, as DNS would answer them if it knew the pool; everything
 * else goes to libc. The __res_* names are those binaries built before
 * glibc 2.34 call them by. */
#include "names/resquery.h"
#include "runtime/real.h"

BIA_EXPORT int res_nquery(res_state statp, const char *dname, int class, int type,
                          unsigned char *answer, int anslen)
{
    int rc;

    if (!bia_resquery_is_ours(dname, class, type, false) || !bia_guard_enter())
        return bia_real()->res_nquery(statp, dname, class, type, answer, anslen);
    rc = bia_resquery_a(statp, dname, false, answer, anslen);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT int res_query(const char *dname, int class, int type, unsigned char *answer,
                         int anslen)
{
    int rc;

    if (!bia_resquery_is_ours(dname, class, type, false) || !bia_guard_enter())
        return bia_real()->res_query(dname, class, type, answer, anslen);
    rc = bia_resquery_a(&_res, dname, false, answer, anslen);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT int __res_nquery(res_state, const char *, int, int, unsigned char *, int)
    __THROW __attribute__((alias("res_nquery")));
BIA_EXPORT int __res_query(const char *, int, int, unsigned char *, int)
    __THROW __attribute__((alias("res_query")));
