#include "client/maptable.h"

#include "bia_maptable.h"
#include "runtime/config.h"
#include "runtime/log.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* A record changing under the reader this many times in a row is left to
 * the helper rather than waited for. */
#define READ_TRIES 4
#define RETRY_MS 1000

/* The table in use. A replaced one stays mapped: another thread may be
 * reading it, and a process sees one per helper start, a few MB of address
 * space each at most. */
static const struct bia_maptable_header *current;
/* CLOCK_MONOTONIC ms before which no open is tried again. */
static long long next_open_ms;

static long long now_ms(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const struct bia_maptable_header *map_table(void)
{
    size_t size;
    const struct bia_maptable_header *h = bia_maptable_map(bia_config()->socket_path, &size);

    if (h)
        bia_debug("using the helper's published table %s%s (%u pool addresses)",
                  bia_config()->socket_path, BIA_MAPTABLE_SUFFIX, h->records);
    return h;
}

/* The table to read: the current one while it serves, else a new one at
 * most once every RETRY_MS (a missing table costs no system call per
 * connect). Races between threads only cost a second mapping. */
static const struct bia_maptable_header *table(void)
{
    const struct bia_maptable_header *h = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
    long long now;
    int saved = errno;

    if (h && !__atomic_load_n(&h->retired, __ATOMIC_ACQUIRE))
        return h;
    now = now_ms(CLOCK_MONOTONIC);
    if (now < __atomic_load_n(&next_open_ms, __ATOMIC_RELAXED))
        return NULL;
    __atomic_store_n(&next_open_ms, now + RETRY_MS, __ATOMIC_RELAXED);
    h = map_table();
    errno = saved;
    if (h)
        __atomic_store_n(&current, h, __ATOMIC_RELEASE);
    return h;
}

/* The seqlock read (bia_maptable.h): a copy taken between two equal, even
 * sequence numbers. */
static bool read_record(const struct bia_maptable_record *r, uint32_t *until, uint32_t v6[4])
{
    for (int i = 0; i < READ_TRIES; i++) {
        uint32_t seq = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);

        if (seq & 1)
            continue;
        *until = __atomic_load_n(&r->until, __ATOMIC_RELAXED);
        for (int k = 0; k < 4; k++)
            v6[k] = __atomic_load_n(&r->v6[k], __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&r->seq, __ATOMIC_RELAXED) == seq)
            return true;
    }
    return false;
}

bool bia_maptable_find_v4(struct in_addr v4, struct in6_addr *v6)
{
    const struct bia_maptable_header *h = table();
    const struct bia_maptable_record *records;
    uint32_t i, until, words[4];

    if (!h)
        return false;
    i = ntohl(v4.s_addr) - h->pool_base;
    if (i >= h->records)
        return false;
    records = (const struct bia_maptable_record *)(h + 1);
    if (!read_record(&records[i], &until, words) || until == 0)
        return false;
    if (until != BIA_MAPTABLE_HELD && now_ms(CLOCK_REALTIME) / 1000 >= until)
        return false;
    memcpy(v6, words, sizeof words);
    return true;
}

bool bia_maptable_hello(struct bia_reply *reply)
{
    const struct bia_maptable_header *h = table();
    uint8_t frame[BIA_MAPTABLE_HELLO_MAX];
    const char *bad;
    uint32_t len;

    if (!h || !(len = bia_maptable_read_hello(h, frame)) || bia_decode_reply(frame, len, reply, &bad))
        return false;
    return reply->type == BIA_T_HELLO && reply->status == BIA_S_OK;
}

/* The last table's settings, under a seqlock (odd: being written), so
 * that this stays lock-free: a reader that finds it changing, or a signal
 * handler interrupting the writer, decodes the HELLO itself. */
static uint32_t synth_seq;
static const struct bia_maptable_header *settings_of;   /* the table settings came from */
static struct bia_published settings;

static bool cached_settings(const struct bia_maptable_header *h, struct bia_published *out)
{
    uint32_t seq = __atomic_load_n(&synth_seq, __ATOMIC_ACQUIRE);
    bool hit;

    if (seq & 1)
        return false;
    hit = __atomic_load_n(&settings_of, __ATOMIC_RELAXED) == h;
    if (hit)
        memcpy(out, &settings, sizeof *out);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return hit && __atomic_load_n(&synth_seq, __ATOMIC_RELAXED) == seq;
}

static void cache_settings(const struct bia_maptable_header *h, const struct bia_published *p)
{
    uint32_t seq = __atomic_load_n(&synth_seq, __ATOMIC_RELAXED);

    if ((seq & 1) || !__atomic_compare_exchange_n(&synth_seq, &seq, seq + 1, false, __ATOMIC_ACQUIRE,
                                                  __ATOMIC_RELAXED))
        return;   /* another writer: this answer is simply not kept */
    memcpy(&settings, p, sizeof *p);
    __atomic_store_n(&settings_of, h, __ATOMIC_RELAXED);
    __atomic_store_n(&synth_seq, seq + 2, __ATOMIC_RELEASE);
}

/* A replaced table stays mapped, so its address names it for good. */
bool bia_maptable_settings(struct bia_published *out)
{
    const struct bia_maptable_header *h = table();
    struct bia_reply reply;

    if (!h)
        return false;
    if (cached_settings(h, out))
        return true;
    if (!bia_maptable_hello(&reply))
        return false;
    *out = (struct bia_published){
        {reply.u.hello.synth, reply.u.hello.synth_prefix, reply.u.hello.synth_len, reply.u.hello.plane},
        reply.u.hello.pool, reply.u.hello.pool_len};
    cache_settings(h, out);
    return true;
}

bool bia_maptable_held(unsigned *held)
{
    const struct bia_maptable_header *h = table();
    const struct bia_maptable_record *records;

    if (!h)
        return false;
    records = (const struct bia_maptable_record *)(h + 1);
    *held = 0;
    for (uint32_t i = 0; i < h->records; i++)
        *held += __atomic_load_n(&records[i].until, __ATOMIC_RELAXED) == BIA_MAPTABLE_HELD;
    return true;
}
