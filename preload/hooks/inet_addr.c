/* inet_addr(): like inet_aton (see there). */
#include "names/literal.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <string.h>

BIA_EXPORT in_addr_t inet_addr(const char *cp)
{
    struct in_addr v4;
    bool mapped;

    if (!cp || !strchr(cp, ':') || !bia_active() || !bia_guard_enter())
        return bia_real()->inet_addr(cp);
    mapped = bia_literal_map(cp, &v4);
    bia_guard_leave();
    return mapped ? v4.s_addr : bia_real()->inet_addr(cp);
}
