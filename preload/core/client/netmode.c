#include "client/netmode.h"

#include "bia_protocol.h"
#include "client/helper_client.h"
#include "client/mapcache.h"
#include "client/maptable.h"
#include "client/refusal.h"
#include "runtime/config.h"
#include "runtime/forksafe.h"
#include "runtime/lock.h"
#include "runtime/log.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <time.h>

/* After a failed HELLO, wait this long before asking again, so that a dead
 * helper costs one timeout per second at most, not one per connect. */
#define HELLO_RETRY_MS 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct bia_netmode cached = {.network = BIA_NET_UNKNOWN};
static long long cached_until;    /* monotonic ms; 0: nothing cached */
static struct bia_synth_params last_synth;     /* format 0: no HELLO answer yet */
static int last_network = BIA_NET_UNKNOWN;     /* atomic: read without the lock */

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t prefix_mask(unsigned len)
{
    return len ? 0xffffffffu << (32 - len) : 0;
}

/* Asks the helper (reads its published answer unless fresh: the helper
 * publishes each change it sees, but a HELLO makes it look again); returns
 * how long (ms) the answer may be kept. */
static long long ask_helper(struct bia_netmode *out, bool fresh)
{
    struct bia_reply reply;
    char why[BIA_WHY_SIZE];

    out->network = BIA_NET_UNKNOWN;
    out->have_pool = false;
    if ((fresh || !bia_maptable_hello(&reply)) && bia_helper_hello(&reply, why)) {
        bia_warn_helper("cannot learn the network from the helper: %s", why);
        return HELLO_RETRY_MS;
    }
    if (reply.status != BIA_S_OK) {
        bia_warn_helper("the helper answered HELLO with %s", bia_status_name(reply.status));
        return HELLO_RETRY_MS;
    }
    out->network = reply.u.hello.network;
    /* A /0 pool would claim every IPv4 address; read it as "no pool". */
    out->have_pool = reply.u.hello.pool_len > 0;
    out->pool_mask = prefix_mask(reply.u.hello.pool_len);
    out->pool_net = ntohl(reply.u.hello.pool.s_addr) & out->pool_mask;
    if (bia_lock(&lock)) {        /* else a signal handler on the thread holding it (lock.h) */
        last_synth = (struct bia_synth_params){reply.u.hello.synth, reply.u.hello.synth_prefix,
                                               reply.u.hello.synth_len, reply.u.hello.plane};
        bia_unlock(&lock);
    }
    return reply.u.hello.ttl * 1000LL;
}

/* Keeps a new answer; true when it says another network than the last one. */
static bool store(const struct bia_netmode *fresh, long long keep)
{
    bool changed;

    if (!bia_lock(&lock))
        return false;
    changed = fresh->network != BIA_NET_UNKNOWN && cached.network != BIA_NET_UNKNOWN &&
              fresh->network != cached.network;
    if (fresh->network != BIA_NET_UNKNOWN || cached.network == BIA_NET_UNKNOWN)
        cached = *fresh;
    if (fresh->network != BIA_NET_UNKNOWN)
        __atomic_store_n(&last_network, fresh->network, __ATOMIC_RELAXED);
    cached_until = now_ms() + keep;
    bia_unlock(&lock);
    return changed;
}

/* True when the helper now reports another network than before. */
static bool from_helper(struct bia_netmode *out, bool fresh)
{
    long long now = now_ms(), keep;
    int before = BIA_NET_UNKNOWN;

    /* A signal handler on the thread holding the lock asks the helper. */
    if (bia_lock(&lock)) {
        if (!fresh && now < cached_until) {
            *out = cached;
            bia_unlock(&lock);
            return false;
        }
        before = cached.network;
        bia_unlock(&lock);
    }
    /* No lock during the round trip: threads that miss together each ask. */
    keep = ask_helper(out, fresh);
    if (!store(out, keep))
        return false;
    /* Answers about the old network's IPv4 addresses do not hold on this one. */
    bia_mapcache_forget_native();
    bia_info("the network changed: %s -> %s", bia_network_name(before), bia_network_name(out->network));
    return true;
}

__attribute__((constructor)) static void register_lock(void)
{
    bia_forksafe_register(&lock);
}

/* BIA_POOL is a copy of the helper's HELLO taken when the environment was
 * made (bia run, bia env); a helper restarted since with another pool
 * hands out addresses from that one, so its published pool wins, and the
 * stale copy is said once (as synth.c does for the format). */
static void env_pool(const struct bia_config *c, struct in_addr *pool, unsigned *len)
{
    static int warned;
    char env[INET_ADDRSTRLEN], helper[INET_ADDRSTRLEN];
    struct bia_published p;

    *pool = c->pool;
    *len = c->pool_len;
    if (!bia_maptable_settings(&p) || !p.pool_len ||
        (p.pool_len == c->pool_len && p.pool.s_addr == c->pool.s_addr))
        return;
    *pool = p.pool;
    *len = p.pool_len;
    if (__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
        return;
    inet_ntop(AF_INET, &c->pool, env, sizeof env);
    inet_ntop(AF_INET, &p.pool, helper, sizeof helper);
    bia_warn(BIA_ENV_POOL "=%s/%u is not the running helper's pool, %s/%u: following the helper (the "
             "environment predates a helper restart: bia env --off, then bia env, renews it)",
             env, c->pool_len, helper, p.pool_len);
}

static bool get(struct bia_netmode *out, bool fresh)
{
    const struct bia_config *c = bia_config();
    struct in_addr pool;
    unsigned pool_len;
    bool changed = false;

    if (c->network == BIA_MODE_AUTO || !c->have_pool || !c->have_synth) {
        changed = from_helper(out, fresh);
    }
    if (c->network != BIA_MODE_AUTO)
        out->network = c->network;
    if (c->have_pool) {
        env_pool(c, &pool, &pool_len);
        out->have_pool = true;
        out->pool_mask = prefix_mask(pool_len);
        out->pool_net = ntohl(pool.s_addr) & out->pool_mask;
    }
    return changed && c->network == BIA_MODE_AUTO;
}

void bia_netmode_get(struct bia_netmode *out)
{
    get(out, false);
}

bool bia_netmode_recheck(struct bia_netmode *out)
{
    return get(out, true);
}

int bia_netmode_known(void)
{
    int network = bia_config()->network;
    struct bia_reply reply;

    if (network != BIA_MODE_AUTO)
        return network;
    network = __atomic_load_n(&last_network, __ATOMIC_RELAXED);
    if (network == BIA_NET_UNKNOWN && bia_maptable_hello(&reply)) {
        network = reply.u.hello.network;
        __atomic_store_n(&last_network, network, __ATOMIC_RELAXED);
    }
    return network;
}

bool bia_netmode_in_pool(const struct bia_netmode *mode, struct in_addr v4)
{
    return mode->have_pool && (ntohl(v4.s_addr) & mode->pool_mask) == mode->pool_net;
}

bool bia_netmode_in_env_pool(struct in_addr v4)
{
    const struct bia_config *c = bia_config();
    struct in_addr pool;
    unsigned len;
    uint32_t mask;

    if (!c->have_pool)
        return false;
    env_pool(c, &pool, &len);
    mask = prefix_mask(len);
    return (ntohl(v4.s_addr) & mask) == (ntohl(pool.s_addr) & mask);
}

bool bia_netmode_last_synth(struct bia_synth_params *out)
{
    bool known;

    if (!bia_lock(&lock))
        return false;
    *out = last_synth;
    known = last_synth.format != 0;
    bia_unlock(&lock);
    return known;
}
