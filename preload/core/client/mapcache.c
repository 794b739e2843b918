/*
 * A set-associative table keyed by the IPv4 address: a lookup by v4
 * scans one set of WAYS slots. Lookups by v6 (only for the local or peer
 * address of a translated socket) scan everything, which is still a few
 * microseconds at most.
 */
#include "client/mapcache.h"

#include "runtime/clock.h"
#include "runtime/forksafe.h"
#include "runtime/lock.h"

#include <pthread.h>
#include <string.h>

#define SETS 64
#define WAYS 8
#define NATIVE_TTL 5              /* seconds to remember a NOT_FOUND */
#define MAX_TTL (24 * 3600)       /* keeps expiry arithmetic far from overflow */

struct slot {
    struct bia_entry entry;
    long long expires;            /* monotonic seconds; 0: empty */
};

static struct slot table[SETS][WAYS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((constructor)) static void register_lock(void)
{
    bia_forksafe_register(&lock);
}

/* False in a signal handler whose thread holds the table (lock.h): the
 * handler then finds nothing and stores nothing. */
static bool lock_table(void)
{
    return bia_lock(&lock);
}

static struct slot *set_of(struct in_addr v4)
{
    uint32_t h = v4.s_addr * 2654435761u;   /* Fibonacci hashing */

    return table[h >> 26];                  /* top 6 bits: SETS == 64 */
}

/* The slot to (re)use for v4: its own, else an expired one, else the one
 * closest to expiry. */
static struct slot *slot_for(struct in_addr v4, long long now)
{
    struct slot *set = set_of(v4), *victim = &set[0];

    for (int i = 0; i < WAYS; i++) {
        if (set[i].expires && set[i].entry.v4.s_addr == v4.s_addr)
            return &set[i];
    }
    for (int i = 0; i < WAYS; i++) {
        if (set[i].expires <= now)
            return &set[i];
        if (set[i].expires < victim->expires)
            victim = &set[i];
    }
    return victim;
}

static void put(const struct bia_entry *e, unsigned ttl)
{
    long long now = bia_clock_s();
    struct slot *s;

    if (!ttl)
        return;
    if (!lock_table())
        return;
    s = slot_for(e->v4, now);
    s->entry = *e;
    s->expires = now + (ttl > MAX_TTL ? MAX_TTL : ttl);
    bia_unlock(&lock);
}

void bia_mapcache_put(const struct bia_entry *e)
{
    put(e, e->ttl);
}

void bia_mapcache_put_native(struct in_addr v4)
{
    struct bia_entry e = {.kind = BIA_K_NATIVE, .v4 = v4, .ttl = NATIVE_TTL};

    put(&e, NATIVE_TTL);
}

bool bia_mapcache_find_v4(struct in_addr v4, struct bia_entry *out)
{
    long long now = bia_clock_s();
    struct slot *set = set_of(v4);
    bool found = false;

    if (!lock_table())
        return false;
    for (int i = 0; i < WAYS && !found; i++) {
        if (set[i].expires > now && set[i].entry.v4.s_addr == v4.s_addr) {
            *out = set[i].entry;
            found = true;
        }
    }
    bia_unlock(&lock);
    return found;
}

static bool has_v6_partner(const struct bia_entry *e)
{
    return e->kind == BIA_K_PAIRED || e->kind == BIA_K_POOL || e->kind == BIA_K_NAT64;
}

bool bia_mapcache_find_v6(const struct in6_addr *v6, struct bia_entry *out)
{
    long long now = bia_clock_s();
    bool found = false;

    if (!lock_table())
        return false;
    for (int i = 0; i < SETS * WAYS && !found; i++) {
        const struct slot *s = &table[i / WAYS][i % WAYS];
        if (s->expires > now && has_v6_partner(&s->entry) &&
            !memcmp(&s->entry.v6, v6, sizeof *v6)) {
            *out = s->entry;
            found = true;
        }
    }
    bia_unlock(&lock);
    return found;
}

void bia_mapcache_forget_native(void)
{
    if (!lock_table())
        return;
    for (int i = 0; i < SETS * WAYS; i++) {
        struct slot *s = &table[i / WAYS][i % WAYS];
        if (s->entry.kind == BIA_K_NATIVE)
            s->expires = 0;
    }
    bia_unlock(&lock);
}
