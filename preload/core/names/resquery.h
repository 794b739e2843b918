/* res_query(), res_search(), res_querydomain() for class IN type A. */
#ifndef BIA_RESQUERY_H
#define BIA_RESQUERY_H

#include "bia_protocol.h"

#include <resolv.h>
#include <stdbool.h>

/* The library answers this question: class IN, type A, and a host name
 * (not an address literal) short enough for the protocol. search: as in
 * bia_resquery_a(). */
bool bia_resquery_is_ours(const char *name, int class, int type, bool search);

/*
 * Answers "name IN A" from the helper (RESOLVE) as glibc's resolver
 * would from DNS: the response in answer and its length, or -1 with
 * h_errno (and statp->res_h_errno) HOST_NOT_FOUND (an NXDOMAIN response is still written), NO_DATA
 * (a NOERROR response without answers), TRY_AGAIN (the helper or DNS
 * failed for now) or NO_RECOVERY. search: apply the search list, as
 * res_search does; otherwise name is taken as fully qualified, as
 * res_query does.
 */
int bia_resquery_a(res_state statp, const char *name, bool search, unsigned char *answer,
                   int anslen);

/* "name.domain" into out, as res_querydomain joins them; false when either
 * is NULL or the result is longer than the protocol allows (libc then
 * answers itself). */
bool bia_resquery_join(const char *name, const char *domain, char out[BIA_MAX_NAME + 1]);

#endif
