#include "names/addrconfig.h"

#include "bia_protocol.h"
#include "client/netmode.h"

#include <sys/socket.h>

const struct addrinfo *bia_addrconfig_hints(const char *node, const struct addrinfo *hints,
                                            bool name, struct addrinfo *own)
{
    /* glibc's meaning of NULL hints (getaddrinfo(3)) */
    static const struct addrinfo defaults = {.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG,
                                             .ai_family = AF_UNSPEC};
    const struct addrinfo *given = hints ? hints : &defaults;
    struct bia_netmode mode;

    if (!(given->ai_flags & AI_ADDRCONFIG) || (!node && given->ai_family == AF_UNSPEC))
        return hints;
    bia_netmode_get(&mode);
    if (mode.network != BIA_NET_IPV6_ONLY && (mode.network != BIA_NET_IPV4_ONLY || name))
        return hints;
    *own = *given;
    own->ai_flags &= ~AI_ADDRCONFIG;
    return own;
}
