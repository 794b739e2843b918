/* What kind of network the host is on, and which IPv4 range is the pool. */
#ifndef BIA_NETMODE_H
#define BIA_NETMODE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/config.h"

#define BIA_NET_UNKNOWN (-1)   /* the helper could not tell us */

struct bia_netmode {
    int network;               /* enum bia_network or BIA_NET_UNKNOWN */
    bool have_pool;
    uint32_t pool_net;         /* host byte order */
    uint32_t pool_mask;        /* host byte order */
};

/*
 * BIA_NETWORK / BIA_POOL where set, the rest from the helper's HELLO
 * reply, which is cached for the ttl it gives. Costs no round trip when
 * both variables and BIA_SYNTH are set (bia run and bia env set them).
 */
void bia_netmode_get(struct bia_netmode *out);

/*
 * bia_netmode_get without the cache: asks the helper now. True when the
 * network it reports differs from the one cached before (roaming), which
 * also drops the "no IPv6 partner" answers of the mapping cache.
 */
bool bia_netmode_recheck(struct bia_netmode *out);

/*
 * The network as far as this process knows it without asking: BIA_NETWORK,
 * else the latest HELLO answer however old, else the one in the helper's
 * published table (BIA_NET_UNKNOWN if none). No lock and no round trip (at
 * most the table's one-time open): for decisions that only cost time when
 * wrong (preswap.h), never for routing.
 */
int bia_netmode_known(void);

bool bia_netmode_in_pool(const struct bia_netmode *mode, struct in_addr v4);

/* The synthesis parameters of the latest HELLO answer this process got,
 * without asking: false when it got none yet. */
bool bia_netmode_last_synth(struct bia_synth_params *out);

/* Whether v4 is in the pool BIA_POOL names (false when it is unset), or
 * the running helper's published one where that differs: answered without
 * HELLO. */
bool bia_netmode_in_env_pool(struct in_addr v4);

#endif
