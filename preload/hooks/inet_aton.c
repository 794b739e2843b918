/* inet_aton(): an IPv6 literal yields the IPv4 address standing for it
 * (draft appendix A); everything else is libc's. The ':' test comes
 * first: it is all that valid IPv4 input pays, and it keeps the library's
 * own start-up parsing out of the hook. */
#include "names/literal.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <string.h>

BIA_EXPORT int inet_aton(const char *cp, struct in_addr *inp)
{
    struct in_addr v4;
    bool mapped;

    if (!cp || !strchr(cp, ':') || !bia_active() || !bia_guard_enter())
        return bia_real()->inet_aton(cp, inp);
    mapped = bia_literal_map(cp, &v4);
    bia_guard_leave();
    if (!mapped)
        return bia_real()->inet_aton(cp, inp);
    if (inp)                    /* glibc accepts NULL: a validity check */
        *inp = v4;
    return 1;
}
