/*
 * What a pool address stands for, asked the way the preload asks: the
 * helper's published table first (SOCKET.map, docs/protocol.md), else MAP4
 * on a kept connection to the helper, whose listener is checked with
 * bia_socktrust.h. A mapping the supervisor used is announced with USE
 * once and never released: the supervisor's pid holds it until it ends
 * (held too long, never too short), and the helper's sweep gives it back.
 */
#ifndef BIA_SUPERVISOR_MAPPING_H
#define BIA_SUPERVISOR_MAPPING_H

#include <netinet/in.h>
#include <stdbool.h>

/* Reads BIA_SOCKET and BIA_POOL (bia run sets both); -1 with a message on
 * stderr when either is missing or malformed. */
int mapping_init(void);

/* The helper's socket (BIA_SOCKET). */
const char *mapping_socket(void);

/* The network the helper sees (enum bia_network), from the HELLO in its
 * published table; BIA_NET_NONE when there is none. */
int mapping_network(void);

/* Whether v4 (network order) is one of the helper's pool addresses. */
bool mapping_in_pool(struct in_addr v4);

/* 0 with *v6 filled, or an errno for the connect: EHOSTUNREACH when the
 * helper cannot be asked or knows no peer for v4 (as the preload says). */
int mapping_lookup(struct in_addr v4, struct in6_addr *v6);

/* The pool address that stands for v6 (an IPv6 client of a program's
 * server, or a datagram's source): MAP6, which makes one on the spot, held
 * with USE as above; 0, or -1 when the helper cannot say. */
int mapping_reverse(const struct in6_addr *v6, struct in_addr *v4);

#endif
