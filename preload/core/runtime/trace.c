#include "runtime/trace.h"

#include "runtime/log.h"
#include "runtime/sockaddr.h"
#include "runtime/tracename.h"

#include <stdio.h>

/* " (name)", or "" for an address no name stands for. */
static const char *name_part(struct in_addr v4, char out[BIA_MAX_NAME + 4])
{
    char name[BIA_MAX_NAME + 1];

    out[0] = '\0';
    if (!bia_v4_is_special(v4) && bia_tracename_get(v4, name)[0])
        snprintf(out, BIA_MAX_NAME + 4, " (%s)", name);
    return out;
}

void bia_trace_out(const char *call, const struct sockaddr_in *v4, const struct sockaddr_in6 *v6)
{
    char from[BIA_ADDRSTR_SIZE], to[BIA_ADDRSTR_SIZE], name[BIA_MAX_NAME + 4];

    if (bia_log_enabled(BIA_LOG_INFO))
        bia_info("%s %s -> %s%s", call, bia_sin_str(v4, from), bia_sin6_str(v6, to),
                 name_part(v4->sin_addr, name));
}

void bia_trace_in(const char *call, const struct sockaddr_in6 *v6, const struct sockaddr_in *v4)
{
    char from[BIA_ADDRSTR_SIZE], as[BIA_ADDRSTR_SIZE], name[BIA_MAX_NAME + 4];

    if (bia_log_enabled(BIA_LOG_INFO))
        bia_info("%s %s as %s%s", call, bia_sin6_str(v6, from), bia_sin_str(v4, as),
                 name_part(v4->sin_addr, name));
}
