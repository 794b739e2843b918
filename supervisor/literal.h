/*
 * IPv4 literals outside the pool (an address the program had of its own,
 * not one bia handed out): on an IPv6-only network the helper answers
 * MAP4 for one with its NAT64 entry when the network has a NAT64
 * (protocol.md), and the supervisor then translates it as a pool address,
 * as the preload does (preload/core/v4prog/route.c). Loopback, 0.0.0.0,
 * multicast, broadcast and this host's stand-in 192.0.0.2 stay the
 * kernel's, as does every literal on another network.
 */
#ifndef BIA_SUPERVISOR_LITERAL_H
#define BIA_SUPERVISOR_LITERAL_H

#include <netinet/in.h>
#include <stdbool.h>

/* Whether the helper is asked about v4 (network order), not in the pool. */
bool literal_candidate(struct in_addr v4);

#endif
