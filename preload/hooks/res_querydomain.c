/* res_querydomain(), res_nquerydomain(): res_query of "name.domain" (see
 * res_query). Joins libc would refuse stay libc's. */
#include "names/resquery.h"
#include "runtime/real.h"

BIA_EXPORT int res_nquerydomain(res_state statp, const char *name, const char *domain,
                                int class, int type, unsigned char *answer, int anslen)
{
    char joined[BIA_MAX_NAME + 1];
    int rc;

    if (!bia_resquery_join(name, domain, joined) ||
        !bia_resquery_is_ours(joined, class, type, false) || !bia_guard_enter())
        return bia_real()->res_nquerydomain(statp, name, domain, class, type, answer, anslen);
    rc = bia_resquery_a(statp, joined, false, answer, anslen);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT int res_querydomain(const char *name, const char *domain, int class, int type,
                               unsigned char *answer, int anslen)
{
    char joined[BIA_MAX_NAME + 1];
    int rc;

    if (!bia_resquery_join(name, domain, joined) ||
        !bia_resquery_is_ours(joined, class, type, false) || !bia_guard_enter())
        return bia_real()->res_querydomain(name, domain, class, type, answer, anslen);
    rc = bia_resquery_a(&_res, joined, false, answer, anslen);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT int __res_nquerydomain(res_state, const char *, const char *, int, int,
                                  unsigned char *, int)
    __THROW __attribute__((alias("res_nquerydomain")));
BIA_EXPORT int __res_querydomain(const char *, const char *, int, int, unsigned char *, int)
    __THROW __attribute__((alias("res_querydomain")));
