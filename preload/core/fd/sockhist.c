/*
 * One slot per descriptor number, in pages mapped when the first socket in
 * their range is made (mmap, not malloc: socket() is async-signal-safe).
 * A slot's state word says whether it holds a history, for which birth
 * (a serial number, so that a reader notices a slot reused under it) and
 * in which sharing epoch; the options are a bit set that setsockopt ORs
 * into. A reader copies the slot between two reads of the state word and
 * trusts it only if the word did not move.
 */
#include "fd/sockhist.h"

#include "v4prog/swap.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define PAGE_SLOTS 256
#define MAX_PAGES 4096            /* descriptors 0 .. 1048575 */

#define KNOWN 1ul
#define UDP 2ul
#define EPOCH_SHIFT 8
#define EPOCH_MASK 0xfffffful
#define SERIAL_SHIFT 32

struct slot {
    unsigned long state;          /* 0: no history */
    unsigned long dev, ino;
    unsigned long options;
};

static struct slot *pages[MAX_PAGES];
static unsigned long epoch;       /* bumped whenever sockets may become shared */
static unsigned long serial;

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

static unsigned long current_epoch(void)
{
    return __atomic_load_n(&epoch, __ATOMIC_ACQUIRE) & EPOCH_MASK;
}

void bia_sockhist_shared(void)
{
    __atomic_add_fetch(&epoch, 1, __ATOMIC_ACQ_REL);
}

/* Any control data counts: reading the messages themselves could fault on
 * a bad pointer that the kernel would answer with EFAULT. */
void bia_sockhist_sending(const struct msghdr *msg)
{
    if (msg && msg->msg_controllen)
        bia_sockhist_shared();
}

/* Before fork, so that both sides see every older history end. */
static void register_fork(void)
{
    pthread_atfork(bia_sockhist_shared, NULL, NULL);
}

/* The socket types a swap handles (swap.c); others get no history. */
static bool swappable(int domain, int type, int protocol, bool *udp)
{
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    *udp = type == SOCK_DGRAM;
    return domain == AF_INET &&
           ((type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) ||
            (type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP)));
}

void bia_sockhist_born(int fd, int domain, int type, int protocol)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    unsigned long state, n;
    struct stat st;
    struct slot *s;
    bool udp;

    if (!swappable(domain, type, protocol, &udp)) {
        bia_sockhist_forget(fd);
        return;
    }
    if (!(s = slot_of(fd, true)))
        return;
    __atomic_store_n(&s->state, 0, __ATOMIC_RELEASE);
    if (fstat(fd, &st))
        return;
    pthread_once(&once, register_fork);
    n = __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED) & 0xfffffffful;
    state = (n << SERIAL_SHIFT) | (current_epoch() << EPOCH_SHIFT) | (udp ? UDP : 0) | KNOWN;
    __atomic_store_n(&s->dev, (unsigned long)st.st_dev, __ATOMIC_RELAXED);
    __atomic_store_n(&s->ino, (unsigned long)st.st_ino, __ATOMIC_RELAXED);
    __atomic_store_n(&s->options, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&s->state, state, __ATOMIC_RELEASE);
}

void bia_sockhist_option(int fd, int level, int name)
{
    struct slot *s = slot_of(fd, false);

    if (s && (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) & KNOWN))
        __atomic_or_fetch(&s->options, bia_swap_option_bits(level, name), __ATOMIC_ACQ_REL);
}

void bia_sockhist_forget(int fd)
{
    struct slot *s = slot_of(fd, false);

    if (s && __atomic_load_n(&s->state, __ATOMIC_RELAXED))
        __atomic_store_n(&s->state, 0, __ATOMIC_RELEASE);
}

bool bia_sockhist_get(int fd, struct bia_sockhist *out)
{
    struct slot *s = slot_of(fd, false);
    unsigned long state, dev, ino, options;
    struct stat st;

    if (!s)
        return false;
    state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
    if (!(state & KNOWN) || ((state >> EPOCH_SHIFT) & EPOCH_MASK) != current_epoch())
        return false;
    dev = __atomic_load_n(&s->dev, __ATOMIC_RELAXED);
    ino = __atomic_load_n(&s->ino, __ATOMIC_RELAXED);
    options = __atomic_load_n(&s->options, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != state || fstat(fd, &st) ||
        (unsigned long)st.st_dev != dev || (unsigned long)st.st_ino != ino)
        return false;
    out->type = (state & UDP) ? SOCK_DGRAM : SOCK_STREAM;
    out->protocol = (state & UDP) ? IPPROTO_UDP : IPPROTO_TCP;
    out->options = (unsigned)options;
    return true;
}
