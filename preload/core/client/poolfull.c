#include "client/poolfull.h"

#include "bia_protocol.h"
#include "client/maptable.h"
#include "client/netmode.h"
#include "runtime/log.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>

static bool warned;

void bia_poolfull_note(unsigned status)
{
    char net[INET_ADDRSTRLEN] = "?", held_text[64] = "";
    struct bia_netmode mode;
    struct in_addr base;
    unsigned held;

    if (status != BIA_S_POOL_EXHAUSTED || __atomic_exchange_n(&warned, true, __ATOMIC_RELAXED))
        return;
    bia_netmode_get(&mode);
    base.s_addr = htonl(mode.pool_net);
    if (mode.have_pool)
        inet_ntop(AF_INET, &base, net, sizeof net);
    if (bia_maptable_held(&held))
        snprintf(held_text, sizeof held_text, " (%u address%s held by live connections)", held,
                 held == 1 ? "" : "es");
    bia_warn("pool %s/%d is full%s: see bia status, or widen --pool", net,
             __builtin_popcount(mode.pool_mask), held_text);
}
