/* setsockopt(): IPPROTO_IP options on a swapped socket also set their IPv6
 * twin. Every call is noted in the socket's history (core/fd/sockhist.h), even
 * one the guard passes straight through, or a swap could miss the option. */
#include "fd/sockhist.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/sockopt.h"
#include "v4prog/swap.h"
#include "v6prog/icmp6echo.h"
#include "v6prog/v4backed.h"

BIA_EXPORT int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    int rc;

    bia_sockhist_option(fd, bia_swap_option_bits(level, name));
    if (!bia_active() || !bia_guard_enter())
        return bia_real()->setsockopt(fd, level, name, value, len);
    rc = bia_icmp6_kind(fd) ? bia_icmp6_setsockopt(fd, level, name, value, len)
         : bia_v4backed(fd) ? bia_v4backed_setsockopt(fd, level, name, value, len)
                            : bia_setsockopt(fd, level, name, value, len);
    bia_guard_leave();
    return rc;
}
