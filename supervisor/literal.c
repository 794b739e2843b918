#include "literal.h"

#include "mapping.h"

#include "bia_protocol.h"

#define THIS_HOST 0xc0000002u   /* 192.0.0.2, host order */

bool literal_candidate(struct in_addr v4)
{
    uint32_t h = ntohl(v4.s_addr);

    if (h == INADDR_ANY || h == INADDR_BROADCAST || h >> 24 == IN_LOOPBACKNET || IN_MULTICAST(h) ||
        h == THIS_HOST || mapping_in_pool(v4))
        return false;
    return mapping_network() == BIA_NET_IPV6_ONLY;
}
