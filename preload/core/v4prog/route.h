/* Where a connect to an IPv4 address really goes. */
#ifndef BIA_ROUTE_H
#define BIA_ROUTE_H

#include <netinet/in.h>

enum bia_route {
    BIA_ROUTE_NATIVE,   /* to the IPv4 address itself, untranslated */
    BIA_ROUTE_V6,       /* to the IPv6 address stored in *v6 */
    BIA_ROUTE_FAIL,     /* nowhere: fail with the errno stored in *err */
};

/*
 * Loopback, 0.0.0.0, multicast and broadcast stay native. A pool address
 * goes to the IPv6 address it stands for. Another address goes to its
 * IPv6 partner on an IPv6-only network when the helper knows one, and
 * stays native otherwise. Answers come from the mapping cache when they
 * can, else from MAP4 at the helper.
 */
enum bia_route bia_route_v4(struct in_addr v4, struct in6_addr *v6, int *err);

/*
 * Logs why a native connect or sendto (call) to dst failed with err when the reason is bia's
 * business: ENETUNREACH on an IPv6-only network means that the helper has
 * no NAT64 to reach the address through (docs/architecture.md, NAT64).
 */
void bia_route_explain(const char *call, const struct sockaddr_in *dst, int err);

#endif
