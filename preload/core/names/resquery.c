#include "names/resquery.h"

#include "client/status.h"
#include "names/dnsreply.h"
#include "names/names.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <string.h>

bool bia_resquery_is_ours(const char *name, int class, int type, bool search)
{
    if (class != ns_c_in || type != ns_t_a || !bia_name_wanted(name) || strchr(name, ':'))
        return false;
    /* res_query's name gets a final dot (below), which must still fit. */
    return search || strlen(name) < BIA_MAX_NAME || name[strlen(name) - 1] == '.';
}

bool bia_resquery_join(const char *name, const char *domain, char out[BIA_MAX_NAME + 1])
{
    size_t n = name ? strlen(name) : 0, d = domain ? strlen(domain) : 0;

    if (!name || !domain || n + 1 + d > BIA_MAX_NAME)
        return false;
    memcpy(out, name, n);
    out[n] = '.';
    memcpy(out + n + 1, domain, d + 1);
    return true;
}

/* glibc's resolver keeps h_errno in the resolver state too. */
static int failed(res_state statp, int herr)
{
    h_errno = herr;
    statp->res_h_errno = herr;
    return -1;
}

/* res_query takes name as it is: the helper must not try the search list. */
static void qualify(const char *name, bool search, char out[BIA_MAX_NAME + 1])
{
    size_t len = strlen(name);

    memcpy(out, name, len + 1);
    if (!search && name[len - 1] != '.')
        memcpy(out + len, ".", 2);
}

int bia_resquery_a(res_state statp, const char *name, bool search, unsigned char *answer,
                   int anslen)
{
    char asked[BIA_MAX_NAME + 1];
    struct bia_reply reply;
    int len;

    if (anslen < NS_HFIXEDSZ) {     /* what glibc's res_send refuses */
        errno = EINVAL;
        return failed(statp, TRY_AGAIN);
    }
    qualify(name, search, asked);
    if (bia_resolve4(asked, &reply))
        return failed(statp, TRY_AGAIN);
    switch (reply.status) {
    case BIA_S_OK:
        len = bia_dns_reply(reply.u.resolve.canon, ns_r_noerror, &reply.u.resolve, answer, anslen);
        return len < 0 ? failed(statp, NO_RECOVERY) : len;
    case BIA_S_NOT_FOUND:
        bia_dns_reply(asked, ns_r_nxdomain, NULL, answer, anslen);
        return failed(statp, HOST_NOT_FOUND);
    case BIA_S_NO_DATA:
        bia_dns_reply(asked, ns_r_noerror, NULL, answer, anslen);
        return failed(statp, NO_DATA);
    default:
        return failed(statp, bia_status_to_herrno(reply.status));
    }
}
