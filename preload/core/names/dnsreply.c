/*
 * res_mkquery() writes the header (with a query id chosen the way libc
 * chooses it) and the question; the header is then turned into a
 * response, and each answer names the question through dn_comp's
 * compression pointer.
 */
#include "names/dnsreply.h"

#include <arpa/nameser.h>
#include <resolv.h>
#include <stdbool.h>
#include <string.h>

/* Header, the longest name, and every entry as a compressed A record. */
#define REPLY_SIZE (NS_HFIXEDSZ + NS_MAXCDNAME + NS_QFIXEDSZ + \
                    BIA_MAX_ENTRIES * (2 + NS_RRFIXEDSZ + NS_INADDRSZ))

/* Appends "<qname> IN A ttl v4" at *cp; false when it does not fit. */
static bool put_a(unsigned char **cp, unsigned char *end, const char *qname,
                  const unsigned char **dnptrs, const struct bia_entry *e)
{
    int n = dn_comp(qname, *cp, (int)(end - *cp), (unsigned char **)dnptrs,
                    (unsigned char **)dnptrs + 2);

    if (n < 0 || end - (*cp + n) < NS_RRFIXEDSZ + NS_INADDRSZ)
        return false;
    *cp += n;
    NS_PUT16(ns_t_a, *cp);
    NS_PUT16(ns_c_in, *cp);
    NS_PUT32(e->ttl, *cp);
    NS_PUT16(NS_INADDRSZ, *cp);
    memcpy(*cp, &e->v4, NS_INADDRSZ);
    *cp += NS_INADDRSZ;
    return true;
}

int bia_dns_reply(const char *qname, int rcode, const struct bia_resolve *r,
                  unsigned char *answer, int anslen)
{
    unsigned char buf[REPLY_SIZE], *cp;
    const unsigned char *dnptrs[3] = {buf, buf + NS_HFIXEDSZ, NULL};
    HEADER *hp = (HEADER *)buf;
    unsigned count = r ? r->count : 0;
    int len = res_mkquery(ns_o_query, qname, ns_c_in, ns_t_a, NULL, 0, NULL, buf, sizeof buf);

    if (len < 0)
        return -1;
    cp = buf + len;
    for (unsigned i = 0; i < count; i++)
        if (!put_a(&cp, buf + sizeof buf, qname, dnptrs, &r->entries[i]))
            return -1;
    hp->qr = 1;
    hp->ra = 1;
    hp->rcode = rcode & 0xf;
    hp->ancount = htons((uint16_t)count);
    len = (int)(cp - buf);
    hp->tc = len > anslen;
    memcpy(answer, buf, len > anslen ? (size_t)anslen : (size_t)len);
    return len;
}
