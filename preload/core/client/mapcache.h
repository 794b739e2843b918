/*
 * Process-local memory of the helper's answers (RESOLVE, MAP4, MAP6), so
 * that a connect to an address the program just resolved needs no round
 * trip. Fixed size; an entry lives for the ttl the helper gave it.
 */
#ifndef BIA_MAPCACHE_H
#define BIA_MAPCACHE_H

#include "bia_protocol.h"

#include <stdbool.h>

/* Remembers e until its ttl runs out; a ttl of 0 is not remembered. */
void bia_mapcache_put(const struct bia_entry *e);

/*
 * Remembers for a few seconds that v4 has no IPv6 partner (the helper said
 * NOT_FOUND), as a NATIVE entry: such answers are asked for on every
 * connect to a real IPv4 address on an IPv6-only network.
 */
void bia_mapcache_put_native(struct in_addr v4);

bool bia_mapcache_find_v4(struct in_addr v4, struct bia_entry *out);

/* Finds a PAIRED, POOL or NAT64 entry whose IPv6 side is v6. */
bool bia_mapcache_find_v6(const struct in6_addr *v6, struct bia_entry *out);

/*
 * Forgets every NATIVE entry: "no IPv6 partner" was an answer about the
 * network the helper saw then, and after a change of network (roaming) the
 * same address may have one (a NAT64) or need none (IPv4 came back).
 */
void bia_mapcache_forget_native(void);

#endif
