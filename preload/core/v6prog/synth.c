#include "v6prog/synth.h"

#include "bia_protocol.h"
#include "client/helper_client.h"
#include "client/maptable.h"
#include "client/netmode.h"
#include "client/refusal.h"
#include "runtime/config.h"
#include "runtime/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static bool same_synth(const struct bia_synth_params *a, const struct bia_synth_params *b)
{
    return a->format == b->format && a->len == b->len && a->plane == b->plane &&
           !memcmp(&a->prefix, &b->prefix, sizeof a->prefix);
}

/* BIA_SYNTH and co. are a copy of the helper's HELLO taken when the
 * environment was made (bia run, bia env); a helper restarted since with
 * another format is what the DNS endpoint and RESOLVE answer in, so its
 * published format wins, and the stale copy is said once. */
static void from_environment(const struct bia_config *c, struct bia_synth_params *p)
{
    static int warned;
    char text[INET6_ADDRSTRLEN];
    struct bia_published helper;

    if (!bia_maptable_settings(&helper) || same_synth(&helper.synth, &c->synth)) {
        *p = c->synth;
        return;
    }
    *p = helper.synth;
    if (__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
        return;
    inet_ntop(AF_INET6, &p->prefix, text, sizeof text);
    bia_warn(BIA_ENV_SYNTH "=%s (and its prefix and plane) is not the running helper's synthesis, %s %s/%u "
             "plane %u: following the helper (the environment predates a helper restart: bia env --off, then bia env, renews it)",
             bia_synth_name(c->synth.format), bia_synth_name(p->format), text, (unsigned)p->len, (unsigned)p->plane);
}

/* A process not started by bia run (a container's, docs/containers.md)
 * asks HELLO once to learn the format; if the helper cannot say, mapped. */
static void current(struct bia_synth_params *p)
{
    const struct bia_config *c = bia_config();
    struct bia_netmode mode;

    if (c->have_synth) {
        from_environment(c, p);
        return;
    }
    if (bia_netmode_last_synth(p))
        return;
    bia_netmode_get(&mode);
    if (!bia_netmode_last_synth(p))
        p->format = BIA_SYNTH_MAPPED;
}

bool bia_synth_is_mapped(void)
{
    struct bia_synth_params p;

    current(&p);
    return p.format == BIA_SYNTH_MAPPED;
}

static bool in_prefix(const struct in6_addr *a, const struct in6_addr *prefix, unsigned len)
{
    unsigned bytes = len / 8, bits = len % 8;

    if (memcmp(a, prefix, bytes))
        return false;
    return !bits || ((a->s6_addr[bytes] ^ prefix->s6_addr[bytes]) & (0xff00 >> bits) & 0xff) == 0;
}

/* The /96 the prefix and M46A formats put the IPv4 address under. */
static struct in6_addr base96(const struct bia_synth_params *p)
{
    struct in6_addr base = p->prefix;

    if (p->format == BIA_SYNTH_M46A)
        for (unsigned bit = p->len > 64 ? p->len : 64; bit < 96; bit++)
            if (p->plane >> (95 - bit) & 1)
                base.s6_addr[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
    return base;
}

/* MAP6 of a pool-format address: the helper's table is the only one. */
static int pool_to_v4(const struct in6_addr *a, struct in_addr *v4)
{
    char text[INET6_ADDRSTRLEN], why[BIA_WHY_SIZE];
    struct bia_reply reply;

    inet_ntop(AF_INET6, a, text, sizeof text);
    if (bia_helper_map6(a, &reply, why)) {
        bia_warn_helper("%s: cannot ask the helper which IPv4 peer it stands for: %s", text, why);
        errno = EHOSTUNREACH;
        return -1;
    }
    if (reply.status != BIA_S_OK || reply.u.entry.kind != BIA_K_SYNTHETIC ||
        memcmp(&reply.u.entry.v6, a, sizeof *a)) {
        bia_warn("%s: in the synthesis prefix, but the helper knows no IPv4 peer for it", text);
        errno = EHOSTUNREACH;
        return -1;
    }
    *v4 = reply.u.entry.v4;
    return 1;
}

int bia_synth_to_v4(const struct in6_addr *a, struct in_addr *v4)
{
    struct bia_synth_params p;
    struct in6_addr base;

    current(&p);
    switch (p.format) {
    case BIA_SYNTH_PREFIX:
    case BIA_SYNTH_M46A:
        base = base96(&p);
        if (memcmp(a, &base, 12))
            return 0;
        memcpy(v4, &a->s6_addr[12], 4);
        return 1;
    case BIA_SYNTH_POOL:
        return in_prefix(a, &p.prefix, p.len) ? pool_to_v4(a, v4) : 0;
    default:
        return 0;
    }
}

static int pool_from_v4(struct in_addr v4, struct in6_addr *out)
{
    char text[INET_ADDRSTRLEN], why[BIA_WHY_SIZE];
    struct bia_reply reply;

    inet_ntop(AF_INET, &v4, text, sizeof text);
    if (bia_helper_synth(v4, &reply, why)) {
        bia_warn_helper("no synthesized IPv6 address for %s: cannot reach the helper: %s", text,
                        why);
        return -1;
    }
    if (reply.status != BIA_S_OK || reply.u.entry.kind != BIA_K_SYNTHETIC ||
        reply.u.entry.v4.s_addr != v4.s_addr) {
        bia_warn_helper("no synthesized IPv6 address for %s: the helper answered %s", text,
                 bia_status_name(reply.status));
        return -1;
    }
    *out = reply.u.entry.v6;
    return 0;
}

int bia_synth_from_v4(struct in_addr v4, struct in6_addr *out)
{
    struct bia_synth_params p;

    current(&p);
    if (p.format == BIA_SYNTH_POOL)
        return pool_from_v4(v4, out);
    *out = p.format == BIA_SYNTH_MAPPED ? (struct in6_addr){.s6_addr = {[10] = 0xff, [11] = 0xff}}
                                        : base96(&p);
    memcpy(&out->s6_addr[12], &v4, 4);
    return 0;
}
