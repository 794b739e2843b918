/* res_querydomain(): res_query of "name.domain" (see res_query). Joins
 * and length limits that libc would refuse stay libc's. */
#include "bia_protocol.h"
#include "real.h"
#include "resquery.h"

#include <string.h>

BIA_EXPORT int res_querydomain(const char *name, const char *domain, int class, int type,
                               unsigned char *answer, int anslen)
{
    char joined[BIA_MAX_NAME + 1];
    size_t n = name ? strlen(name) : 0, d = domain ? strlen(domain) : 0;
    int rc;

    if (!name || !domain || n + 1 + d >= sizeof joined)
        return bia_real()->res_querydomain(name, domain, class, type, answer, anslen);
    memcpy(joined, name, n);
    joined[n] = '.';
    memcpy(joined + n + 1, domain, d + 1);
    if (!bia_resquery_is_ours(joined, class, type, false) || !bia_guard_enter())
        return bia_real()->res_querydomain(name, domain, class, type, answer, anslen);
    rc = bia_resquery_a(joined, false, answer, anslen);
    bia_guard_leave();
    return rc;
}

BIA_EXPORT int __res_querydomain(const char *, const char *, int, int, unsigned char *, int)
    __attribute__((alias("res_querydomain")));
