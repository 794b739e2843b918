#include "names/literal.h"

#include "client/helper_client.h"
#include "client/mapcache.h"
#include "client/poolfull.h"
#include "client/refusal.h"
#include "names/names.h"
#include "runtime/log.h"

#include <arpa/inet.h>

bool bia_literal_map(const char *text, struct in_addr *v4)
{
    char why[BIA_WHY_SIZE], text4[INET_ADDRSTRLEN];
    struct in6_addr v6;
    struct bia_reply reply;
    struct bia_entry e;

    if (!bia_v6_literal(text, &v6))
        return false;
    if (bia_mapcache_find_v6(&v6, &e)) {
        *v4 = e.v4;
        return true;
    }
    if (bia_helper_map6(&v6, &reply, why)) {
        bia_warn_helper("literal %s: cannot reach the helper: %s", text, why);
        return false;
    }
    bia_poolfull_note(reply.status);
    if (reply.status != BIA_S_OK) {
        bia_warn_helper("literal %s: the helper answered %s", text, bia_status_name(reply.status));
        return false;
    }
    /* A synthesized address is an IPv4 address in an IPv6 program's form,
     * like ::ffff:a.b.c.d: libc's answer. A program that tries IPv4 first
     * (curl's EPSV data connection to its control peer's text) must go on
     * to parse it as the IPv6 address it is. */
    if (reply.u.entry.kind == BIA_K_SYNTHETIC)
        return false;
    bia_mapcache_put(&reply.u.entry);
    *v4 = reply.u.entry.v4;
    bia_info("literal %s: %s", text, inet_ntop(AF_INET, v4, text4, sizeof text4));
    return true;
}
