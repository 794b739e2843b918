/*
 * The preload's reader of the helper's published table
 * (preload/core/client/maptable.c), compiled in against tables this program
 * writes itself: found, missing, past its time, held, cleared, out of the
 * pool, malformed, retired and replaced, and a record rewritten under a
 * reader that must never see half of one (the seqlock).
 */
#define _GNU_SOURCE
#include "check.h"
#include "maptable_stubs.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>

#define RECORDS 16
#define POOL_BASE 0xc6120000u   /* 198.18.0.0 */

struct file {
    struct bia_maptable_header *h;
    struct bia_maptable_record *r;
};

static char path[128];

/* What native/maptable.cc does, minus the seqlock (no reader yet). */
static struct file make_table(uint32_t records, size_t size)
{
    char fresh[160];
    struct file f;
    int fd;

    snprintf(fresh, sizeof fresh, "%s.new", path);
    fd = open(fresh, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, size) != 0)
        abort();
    f.h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    memcpy(f.h->magic, BIA_MAPTABLE_MAGIC, 8);
    f.h->version = BIA_MAPTABLE_VERSION;
    f.h->header_size = sizeof *f.h;
    f.h->record_size = sizeof *f.r;
    f.h->pool_base = POOL_BASE;
    f.h->records = records;
    f.r = (struct bia_maptable_record *)(f.h + 1);
    rename(fresh, path);
    return f;
}

static size_t full_size(void)
{
    return sizeof(struct bia_maptable_header) + RECORDS * sizeof(struct bia_maptable_record);
}

static void put(struct file f, uint32_t i, uint32_t until, const char *v6)
{
    f.r[i].until = until;
    inet_pton(AF_INET6, v6, f.r[i].v6);
}

static struct in_addr pool(uint32_t i)
{
    return (struct in_addr){htonl(POOL_BASE + i)};
}

static bool finds(uint32_t i, const char *want)
{
    struct in6_addr got, expected;

    inet_pton(AF_INET6, want, &expected);
    return bia_maptable_find_v4(pool(i), &got) && IN6_ARE_ADDR_EQUAL(&got, &expected);
}

static bool misses(uint32_t i)
{
    struct in6_addr got;

    return !bia_maptable_find_v4(pool(i), &got);
}

/* Lets the next lookup open the file again now rather than in a second. */
static void forget_table(void)
{
    current = NULL;
    next_open_ms = 0;
}

static uint32_t in_an_hour(void)
{
    return (uint32_t)(time(NULL) + 3600);
}

static void lookups(void)
{
    struct file f = make_table(RECORDS, full_size());

    put(f, 1, in_an_hour(), "2001:db8::1");
    put(f, 2, BIA_MAPTABLE_HELD, "2001:db8::2");
    put(f, 3, (uint32_t)time(NULL) - 1, "2001:db8::3");
    check(finds(1, "2001:db8::1"), "a mapping within its time is found");
    check(finds(2, "2001:db8::2"), "a mapping in use is found");
    check(misses(3), "a mapping past its time is left to the helper");
    check(misses(4), "an address with no mapping is left to the helper");
    check(misses(RECORDS), "an address past the table is left to the helper");
    check(!bia_maptable_find_v4((struct in_addr){htonl(POOL_BASE - 1)}, &(struct in6_addr){0}),
          "an address below the pool is left to the helper");
    f.r[1].seq = 7;
    check(misses(1), "a record the helper is writing (odd sequence) is not waited for");
    f.r[1].seq = 8;
    put(f, 1, 0, "::");
    check(misses(1), "a cleared record is a miss");
}

static void replaced(void)
{
    struct file old = make_table(RECORDS, full_size()), fresh;

    put(old, 5, in_an_hour(), "2001:db8::5");
    forget_table();
    check(finds(5, "2001:db8::5"), "the first table is read");
    fresh = make_table(RECORDS, full_size());
    put(fresh, 5, in_an_hour(), "2001:db8::55");
    check(finds(5, "2001:db8::5"), "a replaced file is not looked for while the mapped one serves");
    old.h->retired = 1;
    next_open_ms = 0;
    check(finds(5, "2001:db8::55"), "a retired table gives way to the file now at the path");
    fresh.h->retired = 1;
    unlink(path);
    next_open_ms = 0;
    check(misses(5), "no table at all: every lookup is left to the helper");
}

static void malformed(void)
{
    struct file f;
    int saved;

    f = make_table(RECORDS, sizeof(struct bia_maptable_header) + 2 * sizeof *f.r);
    put(f, 1, in_an_hour(), "2001:db8::1");
    forget_table();
    check(misses(1), "a file shorter than its header says is not believed");
    f = make_table(RECORDS, full_size());
    put(f, 1, in_an_hour(), "2001:db8::1");
    f.h->version = BIA_MAPTABLE_VERSION + 1;
    forget_table();
    check(misses(1), "a table of another version is not believed");
    f = make_table(RECORDS, full_size());
    put(f, 1, in_an_hour(), "2001:db8::1");
    f.h->magic[0] = 'X';
    forget_table();
    errno = EINTR;
    check(misses(1), "a file that is not a table is not believed");
    saved = errno;
    check(saved == EINTR, "errno is left as it was");
    unlink(path);
    if (mkfifo(path, 0600) == 0) {
        forget_table();
        check(misses(1), "a path that is not a regular file is not opened");
        unlink(path);
    }
}

/* One record flips between two addresses, the seqlock's way, while this
 * thread reads it: every hit must be one of the two, whole. */
static struct file race_file;
static volatile bool race_done;

static void write_record(struct bia_maptable_record *r, const struct in6_addr *a)
{
    uint32_t seq = r->seq, words[4];

    memcpy(words, a, sizeof words);
    __atomic_store_n(&r->seq, seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    for (int k = 0; k < 4; k++)
        __atomic_store_n(&r->v6[k], words[k], __ATOMIC_RELAXED);
    __atomic_store_n(&r->seq, seq + 2, __ATOMIC_RELEASE);
}

static void *flip(void *arg)
{
    struct in6_addr a, b;

    (void)arg;
    inet_pton(AF_INET6, "2001:db8:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa", &a);
    inet_pton(AF_INET6, "2001:db8:bbbb:bbbb:bbbb:bbbb:bbbb:bbbb", &b);
    for (long i = 0; !race_done; i++)
        write_record(&race_file.r[7], i & 1 ? &a : &b);
    return NULL;
}

static void torn_reads(void)
{
    struct in6_addr got, a, b;
    long hits = 0, torn = 0;
    pthread_t writer;

    inet_pton(AF_INET6, "2001:db8:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa", &a);
    inet_pton(AF_INET6, "2001:db8:bbbb:bbbb:bbbb:bbbb:bbbb:bbbb", &b);
    race_file = make_table(RECORDS, full_size());
    put(race_file, 7, in_an_hour(), "2001:db8:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa");
    forget_table();
    pthread_create(&writer, NULL, flip, NULL);
    for (int i = 0; i < 2000000; i++) {
        if (!bia_maptable_find_v4(pool(7), &got))
            continue;
        hits++;
        if (!IN6_ARE_ADDR_EQUAL(&got, &a) && !IN6_ARE_ADDR_EQUAL(&got, &b))
            torn++;
    }
    race_done = true;
    pthread_join(writer, NULL);
    check(hits > 0 && torn == 0, "a record rewritten under the reader is never read half old, half new");
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/bia-maptable-test-%d.sock.map", getpid());
    snprintf(config.socket_path, sizeof config.socket_path, "/tmp/bia-maptable-test-%d.sock",
             getpid());
    lookups();
    replaced();
    malformed();
    torn_reads();
    unlink(path);
    return report();
}
