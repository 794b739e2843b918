#include "names/reverse.h"

#include "client/helper_client.h"
#include "client/mapcache.h"
#include "client/netmode.h"
#include "client/refusal.h"
#include "runtime/log.h"

#include <arpa/inet.h>

bool bia_reverse_is_ours(struct in_addr v4)
{
    struct bia_netmode mode;
    struct bia_entry e;

    if (bia_mapcache_find_v4(v4, &e))
        return e.kind == BIA_K_POOL || e.kind == BIA_K_PAIRED;
    bia_netmode_get(&mode);
    return bia_netmode_in_pool(&mode, v4);
}

int bia_reverse_name4(struct in_addr v4, struct bia_reply *reply)
{
    char text[INET_ADDRSTRLEN], why[BIA_WHY_SIZE];

    inet_ntop(AF_INET, &v4, text, sizeof text);
    if (bia_helper_name4(v4, reply, why)) {
        bia_warn_helper("reverse lookup of %s: cannot reach the helper: %s", text, why);
        return -1;
    }
    if (reply->status == BIA_S_OK)
        bia_debug("reverse lookup of %s: %s", text, reply->u.name.name);
    else
        bia_debug("reverse lookup of %s: %s", text, bia_status_name(reply->status));
    return 0;
}
