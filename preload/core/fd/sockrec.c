/*
 * Records live in pages of PAGE_SLOTS descriptors, mapped when the first
 * socket in their range gets one, so a process that records nothing
 * allocates nothing, and one that does pays for the descriptor numbers it
 * uses. Pages come from mmap, not malloc, because a dup2 in a signal
 * handler may need one.
 *
 * Each slot is a small seqlock without waiting: a writer claims the slot
 * by setting BUSY with a compare-and-swap (and gives up if someone else
 * holds it: two writers on one descriptor number are racing anyway), a
 * reader retries a few times while the generation moves, and a close of a
 * slot being written marks it DROPPED so that the writer discards its
 * record. Nobody ever waits for another thread, so a signal handler cannot
 * deadlock against the thread it interrupted. The options a program sets
 * are ORed into a word of their own (setsockopt must never be refused a
 * slot); a reader takes them inside the same generation.
 */
#include "fd/sockrec.h"

#include "runtime/log.h"
#include "runtime/newproc.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PAGE_SLOTS 256
#define MAX_PAGES 4096            /* descriptors 0 .. 1048575 */
#define READ_TRIES 8

#define BUSY 1ul                  /* a writer owns the slot */
#define USED 2ul                  /* the slot holds a record */
#define DROPPED 4ul               /* closed while BUSY: the writer discards */
#define FLAGS 7ul
#define GEN 8ul                   /* the generation, above the flags */

#define WORDS ((sizeof(struct bia_sockrec) + sizeof(unsigned long) - 1) / sizeof(unsigned long))

struct slot {
    unsigned long state;
    unsigned long options;        /* ORed in by setsockopt; reset with a new socket */
    unsigned long words[WORDS];   /* a struct bia_sockrec, copied word by word */
};

#define PARTS 7                   /* BIA_REC_* bits */

static struct slot *pages[MAX_PAGES];
static int top;                   /* pages[top..] are not mapped: where scans stop */

/*
 * How many records hold each part, and how many slots are USED or BUSY:
 * the fast paths' tests. A count may stay too high (a writer's slot taken
 * back by a fork child's reset): that only costs a lookup; it is never
 * too low while a record holds the part.
 */
static unsigned long active;
static unsigned long holding[PARTS];

static bool table_empty(void)
{
    return __atomic_load_n(&active, __ATOMIC_ACQUIRE) == 0;
}

static void count(unsigned parts, long delta)
{
    __atomic_add_fetch(&active, delta, __ATOMIC_RELEASE);
    for (int i = 0; i < PARTS; i++)
        if (parts & (1u << i))
            __atomic_add_fetch(&holding[i], delta, __ATOMIC_RELEASE);
}

bool bia_sockrec_any(unsigned parts)
{
    for (int i = 0; i < PARTS; i++)
        if ((parts & (1u << i)) && __atomic_load_n(&holding[i], __ATOMIC_ACQUIRE))
            return true;
    return false;
}

bool bia_sockrec_owned(void)
{
    return bia_newproc_own();
}

static void raise_top(int to)
{
    int now = __atomic_load_n(&top, __ATOMIC_ACQUIRE);

    while (now < to &&
           !__atomic_compare_exchange_n(&top, &now, to, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        ;
}

static int pages_top(void)
{
    return __atomic_load_n(&top, __ATOMIC_ACQUIRE);
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
        raise_top(fd / PAGE_SLOTS + 1);
    }
    fresh = __atomic_load_n(page, __ATOMIC_ACQUIRE);
    return fresh ? &fresh[fd % PAGE_SLOTS] : NULL;
}

static bool claim(struct slot *s, unsigned long from, unsigned long to)
{
    return __atomic_compare_exchange_n(&s->state, &from, to, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

/* Copies the record in s; false if there is none or it keeps changing. */
static bool read_slot(struct slot *s, struct bia_sockrec *rec, unsigned long *state)
{
    unsigned long words[WORDS], options;

    for (int tries = 0; tries < READ_TRIES; tries++) {
        unsigned long before = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
        if (!(before & (USED | BUSY)))
            return false;
        for (size_t i = 0; i < WORDS; i++)
            words[i] = __atomic_load_n(&s->words[i], __ATOMIC_RELAXED);
        options = __atomic_load_n(&s->options, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if ((before & USED) && __atomic_load_n(&s->state, __ATOMIC_RELAXED) == before) {
            memcpy(rec, words, sizeof *rec);
            rec->hist_options = (unsigned)options;
            *state = before;
            return true;
        }
    }
    return false;
}

static void write_slot(struct slot *s, const struct bia_sockrec *rec, bool same_socket)
{
    unsigned long words[WORDS] = {0};

    memcpy(words, rec, sizeof *rec);
    if (!same_socket)
        __atomic_store_n(&s->options, 0, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    for (size_t i = 0; i < WORDS; i++)
        __atomic_store_n(&s->words[i], words[i], __ATOMIC_RELAXED);
}

/* Forgets what s holds; if expect is not 0, only while s still is expect. */
static void clear(struct slot *s, unsigned long expect)
{
    struct bia_sockrec rec;
    unsigned long old;

    for (int tries = 0; tries < READ_TRIES; tries++) {
        if (!read_slot(s, &rec, &old)) {
            old = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
            if (!(old & (USED | BUSY)) || (old & DROPPED))
                return;
            if (!(old & BUSY))
                continue;       /* moving under the read: again */
        }
        if (expect && old != expect)
            return;
        /* A writer at work discards its record when it sees DROPPED. */
        if (claim(s, old, (old & BUSY) ? old | DROPPED : (old & ~FLAGS) + GEN)) {
            if (!(old & BUSY))
                count(rec.parts, -1);
            return;
        }
    }
}

/* Whether a writer may replace held (state old) by rec: always in the
 * owner; in a child sharing the table, only in a free slot or one of the
 * same socket (its descriptors are not its parent's). */
static bool may_write(unsigned long old, const struct bia_sockrec *held,
                      const struct bia_sockrec *rec, bool *same_socket)
{
    *same_socket = (old & USED) && held->dev == rec->dev && held->ino == rec->ino;
    return *same_socket || !(old & USED) || bia_newproc_own();
}

bool bia_sockrec_put(int fd, const struct bia_sockrec *rec)
{
    struct slot *s = slot_of(fd, true);
    struct bia_sockrec held = {0};
    unsigned long old, busy;
    bool same_socket;

    if (!s)
        return false;
    if (!read_slot(s, &held, &old))
        old = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
    busy = ((old & ~FLAGS) + GEN) | BUSY;
    /* The claim fails if the slot moved since it was read. */
    if ((old & BUSY) || !may_write(old, &held, rec, &same_socket) || !claim(s, old, busy))
        return false;
    count(rec->parts, 1);
    if (old & USED)
        count(held.parts, -1);
    write_slot(s, rec, same_socket);
    if (claim(s, busy, ((busy & ~FLAGS) + GEN) | USED))
        return true;
    /* Closed meanwhile: the record goes. Unless a fork child's reset took
     * the slot back already (this writer runs in a signal handler's fork
     * child): then it is gone already. */
    if (claim(s, busy | DROPPED, (busy & ~FLAGS) + GEN))
        count(rec->parts, -1);
    return false;
}

void bia_sockrec_fill(int fd, struct bia_sockrec *rec)
{
    struct bia_sockrec held;
    unsigned long state;
    struct slot *s;

    if (!table_empty() && (s = slot_of(fd, false)) && read_slot(s, &held, &state) &&
        held.dev == rec->dev && held.ino == rec->ino)
        *rec = held;
}

bool bia_sockrec_identify(int fd, struct bia_sockrec *out)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return false;
    *out = (struct bia_sockrec){.dev = st.st_dev, .ino = st.st_ino};
    return true;
}

/* The record with any of parts of another descriptor on the socket st
 * names: what a child sharing this table, which records little, finds
 * for the copies it made. */
static bool find_socket(const struct stat *st, unsigned parts, struct bia_sockrec *rec)
{
    unsigned long state;

    for (int p = 0; p < pages_top() && !table_empty(); p++) {
        struct slot *page = __atomic_load_n(&pages[p], __ATOMIC_ACQUIRE);
        for (int i = 0; page && i < PAGE_SLOTS; i++)
            if (read_slot(&page[i], rec, &state) && (rec->parts & parts) &&
                rec->dev == (unsigned long)st->st_dev && rec->ino == (unsigned long)st->st_ino)
                return true;
    }
    return false;
}

/* No system call when fd's slot holds none of parts in the owner: a
 * record without them has nothing to believe or to drop. */
static bool lookup(int fd, unsigned parts, struct bia_sockrec *out)
{
    struct slot *s = slot_of(fd, false);
    unsigned long state;
    struct stat st;
    bool found = s && read_slot(s, out, &state) && (out->parts & parts);

    if (!found && bia_newproc_own())
        return false;
    if (fstat(fd, &st) < 0)
        return false;
    if (found && out->dev == (unsigned long)st.st_dev && out->ino == (unsigned long)st.st_ino)
        return true;
    if (bia_newproc_own()) {
        bia_debug("fd %d: forgetting a record whose socket is gone", fd);
        clear(s, state);
        return false;
    }
    return find_socket(&st, parts, out);
}

bool bia_sockrec_get(int fd, unsigned parts, struct bia_sockrec *out)
{
    int saved = errno;
    bool found;

    if (!bia_sockrec_any(parts))
        return false;
    found = lookup(fd, parts, out);
    errno = saved;
    return found;
}

void bia_sockrec_add_options(int fd, unsigned bits)
{
    struct slot *s = slot_of(fd, false);

    if (bits && s && (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) & USED))
        __atomic_or_fetch(&s->options, bits, __ATOMIC_ACQ_REL);
}

void bia_sockrec_forget(int fd)
{
    struct slot *s;

    if (!table_empty() && (s = slot_of(fd, false)))
        clear(s, 0);
}

void bia_sockrec_closed(int fd)
{
    struct slot *s;

    if (table_empty() || !(s = slot_of(fd, false)))
        return;
    if ((__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) & (USED | BUSY)) && bia_newproc_own())
        clear(s, 0);
}

bool bia_sockrec_peek(int fd, struct bia_sockrec *out)
{
    unsigned long state;
    struct slot *s;

    return !table_empty() && (s = slot_of(fd, false)) && read_slot(s, out, &state);
}

void bia_sockrec_closed_range(unsigned first, unsigned last)
{
    unsigned end = MAX_PAGES * PAGE_SLOTS - 1;

    if (last > end)
        last = end;
    for (unsigned fd = first; fd <= last && !table_empty(); fd++) {
        if (!__atomic_load_n(&pages[fd / PAGE_SLOTS], __ATOMIC_ACQUIRE))
            fd |= PAGE_SLOTS - 1;           /* no page: skip to the next */
        else
            bia_sockrec_closed((int)fd);
        if (fd == last)
            break;
    }
}

/* Two descriptors on one socket: an option set through either changes
 * it, so neither keeps the socket's history. */
void bia_sockrec_dup(int oldfd, int newfd)
{
    struct bia_sockrec rec = {0};
    int saved = errno;          /* the dup succeeded: errno stays as it was */
    bool found = bia_sockrec_get(oldfd, BIA_REC_ALL, &rec);

    if (found && (rec.parts & BIA_REC_HISTORY) && bia_newproc_own()) {
        rec.parts &= ~BIA_REC_HISTORY;
        if (rec.parts)
            bia_sockrec_put(oldfd, &rec);
        else
            bia_sockrec_closed(oldfd);
    }
    rec.parts &= ~BIA_REC_HISTORY;
    if (found && rec.parts)
        bia_sockrec_put(newfd, &rec);
    else
        bia_sockrec_closed(newfd);
    errno = saved;
}

/* Whether rec is still the socket on fd. */
static bool current(int fd, const struct bia_sockrec *rec)
{
    struct stat st;

    return fstat(fd, &st) == 0 && st.st_dev == rec->dev && st.st_ino == rec->ino;
}

void bia_sockrec_each(unsigned parts, bia_sockrec_fn *fn, void *arg)
{
    struct bia_sockrec rec;
    unsigned long state;

    for (int p = 0; p < pages_top() && !table_empty(); p++) {
        struct slot *page = __atomic_load_n(&pages[p], __ATOMIC_ACQUIRE);
        for (int i = 0; page && i < PAGE_SLOTS; i++) {
            int fd = p * PAGE_SLOTS + i;
            if (read_slot(&page[i], &rec, &state) && (rec.parts & parts) && current(fd, &rec) &&
                !fn(fd, &rec, arg))
                return;
        }
    }
}

bool bia_sockrec_held_elsewhere(unsigned long dev, unsigned long ino, unsigned parts,
                                unsigned first, unsigned last)
{
    struct bia_sockrec rec;
    unsigned long state;

    for (int p = 0; p < pages_top() && !table_empty(); p++) {
        struct slot *page = __atomic_load_n(&pages[p], __ATOMIC_ACQUIRE);
        for (int i = 0; page && i < PAGE_SLOTS; i++) {
            unsigned fd = p * PAGE_SLOTS + i;
            if ((fd < first || fd > last) && read_slot(&page[i], &rec, &state) &&
                (rec.parts & parts) && rec.dev == dev && rec.ino == ino && current(fd, &rec))
                return true;
        }
    }
    return false;
}

void bia_sockrec_forked(void)
{
    for (int p = 0; p < pages_top() && !table_empty(); p++) {
        struct slot *page = __atomic_load_n(&pages[p], __ATOMIC_ACQUIRE);
        for (int i = 0; page && i < PAGE_SLOTS; i++) {
            unsigned long old = __atomic_load_n(&page[i].state, __ATOMIC_ACQUIRE);
            if ((old & BUSY) && claim(&page[i], old, (old & ~FLAGS) + GEN))
                count(0, -1);   /* its parts stay counted: safe */
        }
    }
}
