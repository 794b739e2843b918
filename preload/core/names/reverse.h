/* Reverse lookups of addresses that exist only inside bia (NAME4). */
#ifndef BIA_REVERSE_H
#define BIA_REVERSE_H

#include "bia_protocol.h"

#include <stdbool.h>

/*
 * The helper knows the name behind v4: a pool address, or a real IPv4
 * address this process learned as half of an A/AAAA pair. Others go to
 * libc, which asks DNS for their PTR record as usual. Costs no round trip
 * when BIA_POOL is set (bia run sets it).
 */
bool bia_reverse_is_ours(struct in_addr v4);

/*
 * Asks NAME4. Returns 0 and the reply (any status), or -1 when the helper
 * could not be reached (already logged).
 */
int bia_reverse_name4(struct in_addr v4, struct bia_reply *reply);

#endif
