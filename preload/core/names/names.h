/* Host names the helper resolves for programs (RESOLVE, family 4 or 6). */
#ifndef BIA_NAMES_H
#define BIA_NAMES_H

#include "bia_protocol.h"

#include <stdbool.h>

/*
 * A name the library resolves: not empty, short enough for the protocol,
 * and not an IPv4 literal (anything inet_aton accepts). An IPv6 literal
 * is ours too (draft appendix A: the helper answers it with a pool
 * address); anything else with a ':' (a scope id, brackets) goes to libc.
 */
bool bia_name_is_ours(const char *name);

/* The library is active and name (maybe NULL) is one it resolves. */
bool bia_name_wanted(const char *name);

/* text has a ':' and is an IPv6 address inet_pton accepts, of a kind an
 * IPv4 program can reach through bia (not ::, loopback, link-local,
 * multicast or IPv4-mapped); stores it in *v6. */
bool bia_v6_literal(const char *text, struct in6_addr *v6);

/*
 * Asks the helper. Returns 0 and the reply (any status), or -1 when the
 * helper could not be reached (already logged). Entries of an OK reply
 * are remembered in the mapping cache, so a connect to one of the
 * addresses needs no further round trip.
 */
int bia_resolve4(const char *name, struct bia_reply *reply);

/* The same for an IPv6 program (RESOLVE family 6): NATIVE entries carry an
 * IPv6 address, SYNTHETIC ones an IPv4-mapped address (::ffff:0:0/96). */
int bia_resolve6(const char *name, struct bia_reply *reply);

#endif
