/*
 * An IPv6 address as the Node side writes it (canonicalV6 in
 * src/wire/addresses.ts: the WHATWG URL host serializer, RFC 5952 without the
 * dotted-quad forms): lowercase hex groups without leading zeros, the
 * first longest run of two or more zero groups as "::". inet_ntop is not
 * used because it writes ::ffff:0:0 as ::ffff:0.0.0.0.
 */
#ifndef BIA_LAUNCHER_V6TEXT_H
#define BIA_LAUNCHER_V6TEXT_H

#include <netinet/in.h>

#define V6TEXT_SIZE 40   /* 8 groups of 4, 7 colons, NUL */

void v6text(const struct in6_addr *a, char out[V6TEXT_SIZE]);

#endif
