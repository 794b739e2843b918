#include "names/names.h"

#include "client/helper_client.h"
#include "client/mapcache.h"
#include "client/poolfull.h"
#include "client/refusal.h"
#include "client/resolvecache.h"
#include "runtime/config.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/tracename.h"

#include <arpa/inet.h>
#include <string.h>

/* Only a peer an IPv4 program could be sent to: "::" (bind to any),
 * loopback, link-local (needs a scope), multicast (draft section 7) and
 * IPv4-mapped/compatible forms stay libc's. */
static bool translatable(const struct in6_addr *a)
{
    return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_LINKLOCAL(a) &&
           !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_V4MAPPED(a) && !IN6_IS_ADDR_V4COMPAT(a);
}

bool bia_v6_literal(const char *text, struct in6_addr *v6)
{
    return strchr(text, ':') && bia_real()->inet_pton(AF_INET6, text, v6) == 1 &&
           translatable(v6);
}

bool bia_name_is_ours(const char *name)
{
    struct in_addr ignored4;
    struct in6_addr ignored6;
    size_t len = strlen(name);

    if (len < 1 || len > BIA_MAX_NAME)
        return false;
    if (strchr(name, ':'))
        return bia_v6_literal(name, &ignored6);
    return !bia_real()->inet_aton(name, &ignored4);
}

bool bia_name_wanted(const char *name)
{
    return bia_active() && name && bia_name_is_ours(name);
}

static void remember(const char *name, const struct bia_resolve *r, const char *suffix)
{
    char v4[INET_ADDRSTRLEN], v6[INET6_ADDRSTRLEN];

    for (unsigned i = 0; i < r->count; i++) {
        const struct bia_entry *e = &r->entries[i];
        /* SYNTHETIC and IPv6 NATIVE entries need no translation table. */
        if (e->kind != BIA_K_SYNTHETIC && e->v4.s_addr)
            bia_mapcache_put(e);
        if (e->kind == BIA_K_POOL || e->kind == BIA_K_PAIRED)
            bia_tracename_put(e->v4, name, e->ttl);
        inet_ntop(AF_INET, &e->v4, v4, sizeof v4);
        inet_ntop(AF_INET6, &e->v6, v6, sizeof v6);
        bia_log(e->kind == BIA_K_NATIVE ? BIA_LOG_DEBUG : BIA_LOG_INFO,
                "resolve %s: %s (%s %s)%s", name, v4, bia_kind_name(e->kind), v6, suffix);
    }
}

/* An answer this process was given before and may still use: no round
 * trip. Its entries go back into the mapping cache with the ttl left. */
static bool from_cache(uint8_t family, const char *name, struct bia_reply *reply)
{
    if (!bia_resolvecache_get(family, name, &reply->u.resolve))
        return false;
    reply->type = BIA_T_RESOLVE;
    reply->status = BIA_S_OK;
    reply->id = 0;
    remember(name, &reply->u.resolve, ", kept by this process");
    return true;
}

static int resolve(uint8_t family, const char *name, struct bia_reply *reply)
{
    char why[BIA_WHY_SIZE];

    if (from_cache(family, name, reply))
        return 0;
    if (bia_helper_resolve(family, name, strlen(name), reply, why)) {
        bia_warn_helper("resolve %s: cannot reach the helper: %s", name, why);
        return -1;
    }
    if (family == BIA_FAMILY_V4)
        bia_poolfull_note(reply->status);
    if (reply->status == BIA_S_OK) {
        remember(name, &reply->u.resolve, "");
        bia_resolvecache_put(family, name, &reply->u.resolve);
    } else {
        bia_debug("resolve %s: %s", name, bia_status_name(reply->status));
    }
    return 0;
}

int bia_resolve4(const char *name, struct bia_reply *reply)
{
    return resolve(BIA_FAMILY_V4, name, reply);
}

int bia_resolve6(const char *name, struct bia_reply *reply)
{
    return resolve(BIA_FAMILY_V6, name, reply);
}
