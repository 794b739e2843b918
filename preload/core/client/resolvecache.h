/*
 * The process's memory of the helper's RESOLVE answers, so that a program
 * resolving the same name again (every request of a client that calls
 * getaddrinfo before each connect) gets it without leaving the process.
 * An answer is kept for the smallest ttl of its entries, and handed out
 * with the ttls that remain; answers with a ttl of 0 and failures
 * (NOT_FOUND, NO_DATA, TRY_AGAIN, which carry no ttl) are not kept. Small
 * and fixed in size: the least lasting answer makes room for a new one.
 * Keyed by the name exactly as the program gave it, and the family.
 */
#ifndef BIA_RESOLVECACHE_H
#define BIA_RESOLVECACHE_H

#include "bia_protocol.h"

#include <stdbool.h>

/* Keeps an OK answer to RESOLVE family name. */
void bia_resolvecache_put(uint8_t family, const char *name, const struct bia_resolve *r);

/* Copies a kept, unexpired answer into out, each entry's ttl lowered to
 * what remains of it. */
bool bia_resolvecache_get(uint8_t family, const char *name, struct bia_resolve *out);

#endif
