/* inet_pton(AF_INET, ...): like inet_aton (see there); other families are libc's. */
#include "names/literal.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <string.h>

BIA_EXPORT int inet_pton(int af, const char *src, void *dst)
{
    struct in_addr v4;
    bool mapped;

    if (af != AF_INET || !src || !strchr(src, ':') || !bia_active() || !bia_guard_enter())
        return bia_real()->inet_pton(af, src, dst);
    mapped = bia_literal_map(src, &v4);
    bia_guard_leave();
    if (!mapped)
        return bia_real()->inet_pton(af, src, dst);
    memcpy(dst, &v4, sizeof v4);
    return 1;
}
