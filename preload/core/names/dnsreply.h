/* DNS responses built from the helper's answers, for res_query() & co. */
#ifndef BIA_DNSREPLY_H
#define BIA_DNSREPLY_H

#include "bia_protocol.h"

/*
 * Writes a response to "qname IN A" into answer[0..anslen): rcode
 * ns_r_noerror with one A record per entry of r (NULL: none), or another
 * rcode with no records. As glibc's resolver does, a response longer than
 * anslen is cut to anslen with the TC bit set, and the full length is
 * returned. Returns -1 when qname cannot be encoded. anslen must hold at
 * least a header.
 */
int bia_dns_reply(const char *qname, int rcode, const struct bia_resolve *r,
                  unsigned char *answer, int anslen);

#endif
