/*
 * A small direct-mapped table (TABLE slots of one name each, about 17 KiB
 * of zero pages untouched unless tracing): a collision only costs a NAME4
 * round trip for the address that lost its slot. Answers that have no
 * name are remembered too, so that a datagram stream to an address no
 * name led to does not ask the helper once per datagram.
 */
#include "runtime/tracename.h"

#include "client/helper_client.h"
#include "runtime/clock.h"
#include "runtime/forksafe.h"
#include "runtime/lock.h"
#include "runtime/log.h"

#include <pthread.h>
#include <string.h>

#define TABLE 64
#define ASKED_TTL 30              /* seconds a NAME4 answer (or its absence) is kept */
#define MAX_TTL (24 * 3600)

struct slot {
    struct in_addr v4;
    long long expires;            /* monotonic seconds; 0: empty */
    char name[BIA_MAX_NAME + 1];  /* "": the helper knows no name */
};

static struct slot table[TABLE];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((constructor)) static void register_lock(void)
{
    bia_forksafe_register(&lock);
}

static struct slot *slot_of(struct in_addr v4)
{
    return &table[(v4.s_addr * 2654435761u) >> 26];   /* Fibonacci hashing, top 6 bits */
}

static void store(struct in_addr v4, const char *name, size_t len, unsigned ttl)
{
    struct slot *s = slot_of(v4);

    if (len > BIA_MAX_NAME || !ttl)
        return;
    if (!bia_lock(&lock))          /* a signal handler on the thread holding it (lock.h) */
        return;
    s->v4 = v4;
    memcpy(s->name, name, len);
    s->name[len] = '\0';
    s->expires = bia_clock_s() + (ttl > MAX_TTL ? MAX_TTL : ttl);
    bia_unlock(&lock);
}

void bia_tracename_put(struct in_addr v4, const char *name, unsigned ttl)
{
    if (bia_log_enabled(BIA_LOG_INFO))
        store(v4, name, strlen(name), ttl);
}

static bool find(struct in_addr v4, char buf[BIA_MAX_NAME + 1])
{
    const struct slot *s = slot_of(v4);
    bool found;

    if (!bia_lock(&lock))
        return false;
    found = s->expires > bia_clock_s() && s->v4.s_addr == v4.s_addr;
    if (found)
        memcpy(buf, s->name, sizeof s->name);
    bia_unlock(&lock);
    return found;
}

const char *bia_tracename_get(struct in_addr v4, char buf[BIA_MAX_NAME + 1])
{
    char why[BIA_WHY_SIZE];
    struct bia_reply reply;

    if (find(v4, buf))
        return buf;
    buf[0] = '\0';
    if (bia_helper_name4(v4, &reply, why)) {
        bia_debug("no name for the trace: %s", why);
        return buf;
    }
    if (reply.status == BIA_S_OK)
        memcpy(buf, reply.u.name.name, (size_t)reply.u.name.len + 1);
    if (reply.status == BIA_S_OK || reply.status == BIA_S_NOT_FOUND)
        store(v4, buf, strlen(buf), ASKED_TTL);
    return buf;
}
