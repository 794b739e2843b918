/*
 * Slot keys are IPv4 addresses in network byte order; 0 (0.0.0.0, never a
 * mapping) marks a free slot. Probing is linear from a multiplicative
 * hash, at most MAX_PROBE slots: since keys are never removed, whoever
 * inserts a key takes the first free slot of its run, and a later lookup
 * of the same key that meets a free slot knows the key is absent.
 *
 * A slot's state is one word, count << 1 | TOLD: TOLD while the helper
 * counts a use of the process (from the first socket's USE until the
 * RELEASE). count 0 with TOLD is a lingering use; `since` says when it
 * started, and `next_due` when the earliest lingering use is due (0: none
 * is known), so that checking costs one load while nothing lingers.
 */
#include "fd/usecount.h"

#include "client/helper_conn.h"

#include <stddef.h>
#include <stdint.h>

#define MAX_PROBE 64
#define TOLD 1u

struct slot {
    uint32_t key;
    uint32_t state;
    long long since;
};

static struct slot slots[BIA_USECOUNT_SLOTS];
static long long next_due;

static unsigned first_slot(uint32_t key)
{
    return (key * 2654435761u) % BIA_USECOUNT_SLOTS;
}

/* v4's slot, claimed for it if insert; NULL when it has none (or no room). */
static struct slot *find(struct in_addr v4, bool insert)
{
    uint32_t key = v4.s_addr;

    if (key == 0)
        return NULL;
    for (unsigned i = 0, at = first_slot(key); i < MAX_PROBE; i++, at = (at + 1) % BIA_USECOUNT_SLOTS) {
        uint32_t seen = __atomic_load_n(&slots[at].key, __ATOMIC_ACQUIRE);
        if (seen == 0) {
            if (!insert)
                return NULL;
            /* Lost to another inserter: seen is now its key, maybe ours. */
            if (__atomic_compare_exchange_n(&slots[at].key, &seen, key, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                return &slots[at];
        }
        if (seen == key)
            return &slots[at];
    }
    return NULL;
}

static bool change(struct slot *s, uint32_t *old, uint32_t to)
{
    return __atomic_compare_exchange_n(&s->state, old, to, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

bool bia_usecount_up(struct in_addr v4)
{
    struct slot *s = find(v4, true);
    uint32_t old;

    if (!s)
        return true;
    old = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
    while (!change(s, &old, (old + 2) | TOLD))
        ;
    return !(old & TOLD);
}

/* Lowers next_due to due, unless an earlier one is already set. */
static void due_by(long long due)
{
    long long now = __atomic_load_n(&next_due, __ATOMIC_ACQUIRE);

    while ((now == 0 || due < now) &&
           !__atomic_compare_exchange_n(&next_due, &now, due, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
        ;
}

bool bia_usecount_down(struct in_addr v4)
{
    struct slot *s = find(v4, false);
    uint32_t old;

    if (!s)
        return true;
    old = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
    do {
        if (old < 2)
            return false;
    } while (!change(s, &old, old - 2));
    if (old == (2 | TOLD)) {
        long long now = bia_conn_now_ms();
        __atomic_store_n(&s->since, now, __ATOMIC_RELEASE);
        due_by(now + BIA_USECOUNT_LINGER_MS);
    }
    return false;
}

int bia_usecount_get(struct in_addr v4)
{
    struct slot *s = find(v4, false);

    return s ? (int)(__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) >> 1) : -1;
}

void bia_usecount_end_due(bool all, void (*fn)(struct in_addr v4, void *arg), void *arg)
{
    long long due = __atomic_load_n(&next_due, __ATOMIC_ACQUIRE), now;

    if (due == 0 || (!all && (now = bia_conn_now_ms()) < due) ||
        !__atomic_compare_exchange_n(&next_due, &due, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    now = bia_conn_now_ms();
    for (unsigned i = 0; i < BIA_USECOUNT_SLOTS; i++) {
        struct slot *s = &slots[i];
        uint32_t lingering = TOLD;
        long long ends = __atomic_load_n(&s->since, __ATOMIC_ACQUIRE) + BIA_USECOUNT_LINGER_MS;
        if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != TOLD)
            continue;
        if (!all && now < ends)
            due_by(ends);                       /* not yet: look again then */
        else if (change(s, &lingering, 0))      /* else a new socket took it over */
            fn((struct in_addr){__atomic_load_n(&s->key, __ATOMIC_ACQUIRE)}, arg);
    }
}

void bia_usecount_forked(void (*fn)(struct in_addr v4, void *arg), void *arg)
{
    __atomic_store_n(&next_due, 0, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < BIA_USECOUNT_SLOTS; i++) {
        uint32_t state = __atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE);
        __atomic_store_n(&slots[i].state, state >= 2 ? state | TOLD : 0, __ATOMIC_RELEASE);
        if (state >= 2)
            fn((struct in_addr){__atomic_load_n(&slots[i].key, __ATOMIC_ACQUIRE)}, arg);
    }
}
