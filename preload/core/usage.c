/*
 * After fork, the child announces every translated socket it inherited as
 * its own use: the helper counts uses per process, and the parent's
 * RELEASE (the classic accept-fork-close server) must not end a use the
 * child still has. exec keeps the pid, so uses carry over to the new
 * program, which releases them when it closes the inherited socket (its
 * fdtable finds them through BIA_TRANSLATED).
 */
#include "usage.h"

#include "bia_protocol.h"
#include "helper_client.h"
#include "log.h"
#include "real.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

/* Whether info's socket uses a mapping, and which. */
static bool mapping_of(const struct bia_fdinfo *info, struct in_addr *v4)
{
    if (info->v4peer.sin_family != AF_INET || info->v4peer.sin_addr.s_addr == 0 ||
        IN6_IS_ADDR_V4MAPPED(&info->v6peer.sin6_addr) ||
        IN6_IS_ADDR_UNSPECIFIED(&info->v6peer.sin6_addr))
        return false;
    *v4 = info->v4peer.sin_addr;
    return true;
}

static void report(uint8_t type, const struct in_addr *v4s, size_t count)
{
    uint8_t frame[BIA_HEADER_SIZE + 1 + 4 * BIA_MAX_USES];
    size_t len = bia_encode_uses(frame, sizeof frame, 0, type, v4s, count);

    if (len && bia_helper_notify(frame, len) != 0)
        bia_debug("could not report %s of %zu mapping(s) to the helper", bia_type_name(type), count);
}

/* The inherited sockets that use a mapping, each once however many
 * descriptors it has (its last close sends one RELEASE); one frame
 * holds BIA_MAX_USES, the rest are not announced. */
struct inherited {
    struct in_addr v4s[BIA_MAX_USES];
    unsigned long dev[BIA_MAX_USES], ino[BIA_MAX_USES];
    size_t count;
};

static bool seen(const struct inherited *all, unsigned long dev, unsigned long ino)
{
    for (size_t i = 0; i < all->count; i++)
        if (all->dev[i] == dev && all->ino[i] == ino)
            return true;
    return false;
}

static bool collect(unsigned long dev, unsigned long ino, const struct bia_fdinfo *info, void *arg)
{
    struct inherited *all = arg;

    if (seen(all, dev, ino) || !mapping_of(info, &all->v4s[all->count]))
        return true;
    all->dev[all->count] = dev;
    all->ino[all->count] = ino;
    return ++all->count < BIA_MAX_USES;
}

static void after_fork_child(void)
{
    struct inherited all = {.count = 0};

    bia_fdtable_each(collect, &all);
    if (all.count)
        report(BIA_T_USE, all.v4s, all.count);
}

static void watch_forks(void)
{
    pthread_atfork(NULL, NULL, after_fork_child);
}

void bia_usage_begin(int fd, const struct bia_fdinfo *info)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct bia_fdinfo before;
    struct in_addr now, old;
    bool uses = mapping_of(info, &now);

    if (bia_fdtable_get(fd, &before) && mapping_of(&before, &old)) {
        if (uses && old.s_addr == now.s_addr)
            return;
        bia_usage_end(fd);
    }
    if (!uses)
        return;
    pthread_once(&once, watch_forks);
    report(BIA_T_USE, &now, 1);
}

struct sibling {
    unsigned long dev, ino;
    int copies;
};

static bool count_copies(unsigned long dev, unsigned long ino, const struct bia_fdinfo *info,
                         void *arg)
{
    struct sibling *s = arg;

    (void)info;
    if (dev == s->dev && ino == s->ino)
        s->copies++;
    return s->copies < 2;
}

/* Whether fd carries a socket that uses a mapping, and which. */
static bool uses_mapping(int fd, struct in_addr *v4)
{
    struct bia_fdinfo info;

    return bia_fdtable_get(fd, &info) && mapping_of(&info, v4);
}

/* Reports the release of v4 unless another descriptor of fd's socket is left. */
static void end_use(int fd, struct in_addr v4)
{
    struct sibling s = {0};
    struct stat st;

    if (fstat(fd, &st) < 0)
        return;
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    bia_fdtable_each(count_copies, &s);
    if (s.copies < 2)
        report(BIA_T_RELEASE, &v4, 1);
}

void bia_usage_end(int fd)
{
    struct in_addr v4;

    if (uses_mapping(fd, &v4))
        end_use(fd, v4);
}

void bia_usage_before_dup(int oldfd, int newfd)
{
    struct in_addr v4;

    /* The dup closes newfd's socket only if it succeeds: oldfd must be open. */
    if (oldfd != newfd && uses_mapping(newfd, &v4) && bia_real()->fcntl(oldfd, F_GETFD) >= 0)
        end_use(newfd, v4);
}
