/*
 * Entries live in pages of PAGE_SLOTS descriptors, mapped when the first
 * socket in their range is translated, so a process that translates
 * nothing allocates nothing, and one that does pays for the descriptor
 * numbers it uses. Pages come from mmap, not malloc, because a dup2 in a
 * signal handler may need one.
 *
 * Each slot is a small seqlock without waiting: a writer claims the slot
 * by setting BUSY with a compare-and-swap (and gives up if someone else
 * holds it: two writers on one descriptor number are racing anyway), a
 * reader retries a few times while the generation moves, and a drop on a
 * slot being written marks it DROPPED so that the writer discards its
 * entry. Nobody ever waits for another thread, so a signal handler cannot
 * deadlock against the thread it interrupted.
 */
#include "fd/fdtable.h"

#include "fd/fdinherit.h"
#include "fd/sockhist.h"
#include "runtime/log.h"
#include "runtime/newproc.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_SLOTS 256
#define MAX_PAGES 4096            /* descriptors 0 .. 1048575 */
#define READ_TRIES 8

#define BUSY 1ul                  /* a writer owns the slot */
#define USED 2ul                  /* the slot holds an entry */
#define DROPPED 4ul               /* dropped while BUSY: the writer discards */
#define FLAGS 7ul
#define GEN 8ul                   /* the generation, above the flags */

struct entry {
    unsigned long dev, ino;
    struct bia_fdinfo info;
};

#define WORDS ((sizeof(struct entry) + sizeof(unsigned long) - 1) / sizeof(unsigned long))

struct slot {
    unsigned long state;
    unsigned long words[WORDS];   /* a struct entry, copied word by word */
};

static struct slot *pages[MAX_PAGES];
static unsigned long active;      /* slots USED or BUSY: the fast path's test */

static bool table_empty(void)
{
    return __atomic_load_n(&active, __ATOMIC_ACQUIRE) == 0;
}

static void count(long delta)
{
    __atomic_add_fetch(&active, delta, __ATOMIC_RELEASE);
}

/*
 * False in a vfork child (or a CLONE_VM child): it shares this table with
 * its parent but has its own descriptors, so what it closes or dups must
 * not change the parent's entries (newproc.h). One getpid: asked only when
 * an entry is about to change or is missing.
 */
static bool own_table(void)
{
    return bia_newproc_own();
}

/* The slot of fd, or NULL; maps its page if asked to. */
static struct slot *slot_of(int fd, bool allocate)
{
    struct slot **page, *fresh, *none = NULL;

    if (fd < 0 || fd / PAGE_SLOTS >= MAX_PAGES)
        return NULL;
    page = &pages[fd / PAGE_SLOTS];
    if (!__atomic_load_n(page, __ATOMIC_ACQUIRE) && allocate) {
        fresh = mmap(NULL, PAGE_SLOTS * sizeof *fresh, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (fresh == MAP_FAILED)
            return NULL;
        if (!__atomic_compare_exchange_n(page, &none, fresh, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            munmap(fresh, PAGE_SLOTS * sizeof *fresh);
    }
    fresh = __atomic_load_n(page, __ATOMIC_ACQUIRE);
    return fresh ? &fresh[fd % PAGE_SLOTS] : NULL;
}

static bool claim(struct slot *s, unsigned long from, unsigned long to)
{
    return __atomic_compare_exchange_n(&s->state, &from, to, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

static void write_entry(struct slot *s, const struct entry *e)
{
    unsigned long words[WORDS] = {0};

    memcpy(words, e, sizeof *e);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    for (size_t i = 0; i < WORDS; i++)
        __atomic_store_n(&s->words[i], words[i], __ATOMIC_RELAXED);
}

/* Stores e in s; false if another writer holds the slot. */
static bool put(struct slot *s, const struct entry *e)
{
    unsigned long old = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
    unsigned long busy = ((old & ~FLAGS) + GEN) | BUSY;

    if ((old & BUSY) || !claim(s, old, busy))
        return false;
    if (!(old & USED))
        count(1);
    write_entry(s, e);
    if (claim(s, busy, ((busy & ~FLAGS) + GEN) | USED))
        return true;
    /* Dropped meanwhile (the descriptor was closed): the entry goes.
     * Unless a fork child's reset took the slot back already (this writer
     * runs in a signal handler's fork child): then it is gone already. */
    if (claim(s, busy | DROPPED, (busy & ~FLAGS) + GEN))
        count(-1);
    return false;
}

/* Forgets what s holds; if expect is not 0, only while s still is expect. */
static void clear(struct slot *s, unsigned long expect)
{
    unsigned long old = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

    while ((old & (USED | BUSY)) && !(old & DROPPED) && (!expect || old == expect)) {
        unsigned long to = (old & BUSY) ? old | DROPPED : (old & ~FLAGS) + GEN;
        if (__atomic_compare_exchange_n(&s->state, &old, to, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            if (!(old & BUSY))
                count(-1);
            return;
        }
    }
}

/* Copies the entry in s; false if there is none or it keeps changing. */
static bool read_entry(struct slot *s, struct entry *e, unsigned long *state)
{
    unsigned long words[WORDS];

    for (int tries = 0; tries < READ_TRIES; tries++) {
        unsigned long before = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
        if (!(before & (USED | BUSY)))
            return false;
        for (size_t i = 0; i < WORDS; i++)
            words[i] = __atomic_load_n(&s->words[i], __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if ((before & USED) && __atomic_load_n(&s->state, __ATOMIC_RELAXED) == before) {
            memcpy(e, words, sizeof *e);
            *state = before;
            return true;
        }
    }
    return false;
}

/* e takes the bound address of what s holds for the same socket. */
static void keep_local(struct slot *s, struct entry *e)
{
    struct entry old;
    unsigned long state;

    if (e->info.v4local.s_addr == 0 && read_entry(s, &old, &state) && old.dev == e->dev &&
        old.ino == e->ino)
        e->info.v4local = old.info.v4local;
}

static bool store(int fd, struct entry *e)
{
    struct slot *s;

    if (!own_table())
        return false;
    s = slot_of(fd, true);
    if (!s)
        return false;
    keep_local(s, e);
    return put(s, e);
}

bool bia_fdtable_set(int fd, const struct bia_fdinfo *info)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return false;
    return store(fd, &(struct entry){.dev = st.st_dev, .ino = st.st_ino, .info = *info});
}

bool bia_fdtable_set_id(int fd, const struct bia_fdid *id, const struct bia_fdinfo *info)
{
    if (!id->known)
        return bia_fdtable_set(fd, info);
    return store(fd, &(struct entry){.dev = id->dev, .ino = id->ino, .info = *info});
}

/* Whether e's socket is still the one on fd. */
static bool current(int fd, const struct entry *e)
{
    struct stat st;

    return fstat(fd, &st) == 0 && st.st_dev == e->dev && st.st_ino == e->ino;
}

/* The entry of another descriptor on the socket fd holds: what a child
 * sharing this table (vfork, CLONE_VM), which records nothing, finds for
 * the copies it made. */
static bool find_socket(int fd, struct entry *e)
{
    struct stat st;
    unsigned long state;

    if (table_empty() || fstat(fd, &st))
        return false;
    for (int p = 0; p < MAX_PAGES && !table_empty(); p++) {
        struct slot *page = __atomic_load_n(&pages[p], __ATOMIC_ACQUIRE);
        for (int i = 0; page && i < PAGE_SLOTS; i++)
            if (read_entry(&page[i], e, &state) && e->dev == (unsigned long)st.st_dev &&
                e->ino == (unsigned long)st.st_ino)
                return true;
    }
    return false;
}

/* No entry for fd here: one inherited across exec, or, in a child that
 * shares the table, another descriptor's on the same socket. */
static bool get_elsewhere(int fd, struct bia_fdinfo *out, struct bia_fdid *id)
{
    struct entry e;

    if (bia_fdinherit_find(fd, out)) {
        bia_fdtable_set(fd, out);   /* a cache: fine if it cannot */
        return true;
    }
    if (table_empty() || own_table() || !find_socket(fd, &e))
        return false;
    *id = (struct bia_fdid){.known = true, .dev = e.dev, .ino = e.ino};
    *out = e.info;
    return true;
}

bool bia_fdtable_get_id(int fd, struct bia_fdinfo *out, struct bia_fdid *id)
{
    struct slot *s;
    struct entry e;
    unsigned long state;

    id->known = false;
    if (table_empty() || !(s = slot_of(fd, false)) || !read_entry(s, &e, &state))
        return get_elsewhere(fd, out, id);
    if (!current(fd, &e)) {
        if (own_table()) {
            bia_debug("fd %d: forgetting a translation whose socket is gone", fd);
            clear(s, state);
            return false;
        }
        return get_elsewhere(fd, out, id);
    }
    *id = (struct bia_fdid){.known = true, .dev = e.dev, .ino = e.ino};
    *out = e.info;
    return true;
}

bool bia_fdtable_get(int fd, struct bia_fdinfo *out)
{
    struct bia_fdid id;

    return bia_fdtable_get_id(fd, out, &id);
}

void bia_fdtable_drop(int fd)
{
    struct slot *s;

    if (table_empty() || !(s = slot_of(fd, false)))
        return;
    if ((__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) & (USED | BUSY)) && own_table())
        clear(s, 0);
}

void bia_fdtable_drop_range(unsigned first, unsigned last)
{
    unsigned end = MAX_PAGES * PAGE_SLOTS - 1;

    if (last > end)
        last = end;
    for (unsigned fd = first; fd <= last && !table_empty(); fd++) {
        if (!__atomic_load_n(&pages[fd / PAGE_SLOTS], __ATOMIC_ACQUIRE))
            fd |= PAGE_SLOTS - 1;           /* no page: skip to the next */
        else
            bia_fdtable_drop((int)fd);
        if (fd == last)
            break;
    }
}

void bia_fdtable_copy(int oldfd, int newfd)
{
    struct bia_fdinfo info;
    int saved = errno;          /* the dup succeeded: errno stays as it was */

    /* Two descriptors on one socket: setsockopt through either changes it. */
    bia_sockhist_forget(oldfd);
    bia_sockhist_forget(newfd);
    if (bia_fdtable_get(oldfd, &info))
        bia_fdtable_set(newfd, &info);
    else
        bia_fdtable_drop(newfd);
    errno = saved;
}

bool bia_fdtable_held_elsewhere(unsigned long dev, unsigned long ino, unsigned first, unsigned last)
{
    struct entry e;
    unsigned long state;

    for (int p = 0; p < MAX_PAGES && !table_empty(); p++) {
        struct slot *page = __atomic_load_n(&pages[p], __ATOMIC_ACQUIRE);
        for (int i = 0; page && i < PAGE_SLOTS; i++) {
            unsigned fd = p * PAGE_SLOTS + i;
            if ((fd < first || fd > last) && read_entry(&page[i], &e, &state) && e.dev == dev &&
                e.ino == ino && current(fd, &e))
                return true;
        }
    }
    return false;
}

void bia_fdtable_each(bia_fdtable_fn *fn, void *arg)
{
    struct entry e;
    unsigned long state;

    for (int p = 0; p < MAX_PAGES && !table_empty(); p++) {
        struct slot *page = __atomic_load_n(&pages[p], __ATOMIC_ACQUIRE);
        for (int i = 0; page && i < PAGE_SLOTS; i++) {
            if (read_entry(&page[i], &e, &state) && current(p * PAGE_SLOTS + i, &e) &&
                !fn(p * PAGE_SLOTS + i, e.dev, e.ino, &e.info, arg))
                return;
        }
    }
}

void bia_fdtable_forked(void)
{
    for (int p = 0; p < MAX_PAGES && !table_empty(); p++) {
        struct slot *page = __atomic_load_n(&pages[p], __ATOMIC_ACQUIRE);
        for (int i = 0; page && i < PAGE_SLOTS; i++) {
            unsigned long old = __atomic_load_n(&page[i].state, __ATOMIC_ACQUIRE);
            if ((old & BUSY) && claim(&page[i], old, (old & ~FLAGS) + GEN))
                count(-1);
        }
    }
}
