/*
 * SLOTS answers, scanned in full: a name is compared only where its hash
 * matches. A hit costs a copy of one answer (about a kilobyte) under the
 * lock; getaddrinfo and gethostbyname are not async-signal-safe, so a
 * mutex is allowed here.
 */
#include "client/resolvecache.h"

#include "client/helper_conn.h"
#include "runtime/forksafe.h"
#include "runtime/lock.h"

#include <pthread.h>
#include <string.h>

#define SLOTS 16
#define MAX_TTL (24 * 3600)       /* keeps expiry arithmetic far from overflow */

struct slot {
    long long stored, expires;    /* monotonic ms; expires 0: empty */
    uint32_t hash;
    uint8_t family;
    char name[BIA_MAX_NAME + 1];
    struct bia_resolve answer;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((constructor)) static void register_lock(void)
{
    bia_forksafe_register(&lock);
}

/* FNV-1a, with the family mixed in. */
static uint32_t hash_of(uint8_t family, const char *name)
{
    uint32_t h = 2166136261u ^ family;

    for (; *name; name++)
        h = (h ^ (uint8_t)*name) * 16777619u;
    return h;
}

static unsigned min_ttl(const struct bia_resolve *r)
{
    unsigned ttl = MAX_TTL;

    for (unsigned i = 0; i < r->count; i++)
        if (r->entries[i].ttl < ttl)
            ttl = r->entries[i].ttl;
    return ttl;
}

static struct slot *find(uint8_t family, const char *name, uint32_t h, long long now)
{
    for (int i = 0; i < SLOTS; i++) {
        struct slot *s = &slots[i];
        if (s->expires > now && s->hash == h && s->family == family && !strcmp(s->name, name))
            return s;
    }
    return NULL;
}

/* The slot for a new answer: the name's own, else the one expiring first
 * (an empty or expired one expires first of all). */
static struct slot *victim(uint8_t family, const char *name, uint32_t h, long long now)
{
    struct slot *s = find(family, name, h, now), *v = &slots[0];

    if (s)
        return s;
    for (int i = 1; i < SLOTS; i++)
        if (slots[i].expires < v->expires)
            v = &slots[i];
    return v;
}

void bia_resolvecache_put(uint8_t family, const char *name, const struct bia_resolve *r)
{
    unsigned ttl = min_ttl(r);
    uint32_t h = hash_of(family, name);
    long long now = bia_conn_now_ms();
    struct slot *s;

    if (!ttl || !r->count || strlen(name) > BIA_MAX_NAME)
        return;
    if (!bia_lock(&lock))          /* a signal handler on the thread holding it (lock.h) */
        return;
    s = victim(family, name, h, now);
    s->stored = now;
    s->expires = now + ttl * 1000LL;
    s->hash = h;
    s->family = family;
    strcpy(s->name, name);
    s->answer = *r;
    bia_unlock(&lock);
}

bool bia_resolvecache_get(uint8_t family, const char *name, struct bia_resolve *out)
{
    long long now = bia_conn_now_ms(), age;
    struct slot *s;

    if (!bia_lock(&lock))
        return false;
    s = find(family, name, hash_of(family, name), now);
    if (s) {
        *out = s->answer;
        age = (now - s->stored) / 1000;
    }
    bia_unlock(&lock);
    if (!s)
        return false;
    /* Whole seconds of age, rounded down: the answer expires before its
     * smallest ttl does, so no entry comes out with ttl 0. */
    for (unsigned i = 0; i < out->count; i++)
        out->entries[i].ttl -= (uint32_t)age;
    return true;
}
