/*
 * Entries live in pages of PAGE_SLOTS descriptors, allocated when the
 * first socket in their range is translated, so a process that translates
 * nothing allocates nothing, and one that does pays for the descriptor
 * numbers it uses.
 */
#include "fdtable.h"

#include "forksafe.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#define PAGE_SLOTS 256
#define MAX_PAGES 4096            /* descriptors 0 .. 1048575 */

struct slot {
    bool used;
    dev_t dev;
    ino_t ino;
    struct bia_fdinfo info;
};

static struct slot *pages[MAX_PAGES];
static unsigned used_count;       /* read without the lock for the fast paths */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static bool table_empty(void)
{
    return __atomic_load_n(&used_count, __ATOMIC_ACQUIRE) == 0;
}

/* The slot of fd, or NULL; allocates its page if asked to. Lock held. */
static struct slot *slot_of(int fd, bool allocate)
{
    struct slot **page;

    if (fd < 0 || fd / PAGE_SLOTS >= MAX_PAGES)
        return NULL;
    page = &pages[fd / PAGE_SLOTS];
    if (!*page && allocate)
        *page = calloc(PAGE_SLOTS, sizeof **page);
    return *page ? &(*page)[fd % PAGE_SLOTS] : NULL;
}

static void clear(struct slot *s)
{
    if (s && s->used) {
        s->used = false;
        __atomic_sub_fetch(&used_count, 1, __ATOMIC_RELEASE);
    }
}

static void register_lock(void)
{
    bia_forksafe_register(&lock);
}

bool bia_fdtable_set(int fd, const struct bia_fdinfo *info)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct stat st;
    struct slot *s;

    if (fstat(fd, &st) < 0)
        return false;
    pthread_once(&once, register_lock);
    pthread_mutex_lock(&lock);
    s = slot_of(fd, true);
    if (s) {
        if (!s->used)
            __atomic_add_fetch(&used_count, 1, __ATOMIC_RELEASE);
        *s = (struct slot){.used = true, .dev = st.st_dev, .ino = st.st_ino, .info = *info};
    }
    pthread_mutex_unlock(&lock);
    return s != NULL;
}

bool bia_fdtable_get(int fd, struct bia_fdinfo *out)
{
    struct slot *s, copy = {0};
    struct stat st;
    bool current;

    if (table_empty())
        return false;
    pthread_mutex_lock(&lock);
    s = slot_of(fd, false);
    if (s)
        copy = *s;
    pthread_mutex_unlock(&lock);
    if (!copy.used)
        return false;
    current = fstat(fd, &st) == 0 && st.st_dev == copy.dev && st.st_ino == copy.ino;
    if (!current) {
        bia_debug("fd %d: forgetting a translation whose socket is gone", fd);
        pthread_mutex_lock(&lock);
        s = slot_of(fd, false);
        if (s->used && s->dev == copy.dev && s->ino == copy.ino)
            clear(s);
        pthread_mutex_unlock(&lock);
        return false;
    }
    *out = copy.info;
    return true;
}

void bia_fdtable_drop(int fd)
{
    if (table_empty())
        return;
    pthread_mutex_lock(&lock);
    clear(slot_of(fd, false));
    pthread_mutex_unlock(&lock);
}
