/*
 * A socket is one use of its mapping; usecount.c counts them per mapping,
 * and only the process's first and (after a linger) its last are reported. After fork, the
 * child announces every mapping its inherited sockets use as its own: the
 * helper counts uses per process, and the parent's RELEASE (the classic
 * accept-fork-close server) must not end a use the child still has. A new
 * program (exec, posix_spawn, vfork + exec, system, popen) takes up the
 * translated sockets it inherited at load and announces them unless they
 * were announced by its own pid (a plain exec): so a child that no fork
 * handler saw is covered as well. Inherited records whose socket did not
 * survive the exec (close-on-exec) end the use the old program announced.
 */
#include "fd/usage.h"

#include "bia_protocol.h"
#include "client/helper_client.h"
#include "fd/fdinherit.h"
#include "fd/usecount.h"
#include "runtime/config.h"
#include "runtime/log.h"
#include "runtime/newproc.h"
#include "runtime/real.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Addresses for one USE or RELEASE frame, sent when full and at the end. */
struct batch {
    uint8_t type;
    struct in_addr v4s[BIA_MAX_USES];
    size_t count;
};

/* Sends what b holds; on a connection of its own unless keep. */
static void send_batch_on(struct batch *b, bool keep)
{
    uint8_t frame[BIA_HEADER_SIZE + 1 + 4 * BIA_MAX_USES];
    size_t len = b->count ? bia_encode_uses(frame, sizeof frame, 0, b->type, b->v4s, b->count) : 0;

    if (len && bia_helper_notify(frame, len, keep) != 0)
        bia_debug("could not report %s of %zu mapping(s) to the helper", bia_type_name(b->type),
                  b->count);
    b->count = 0;
}

static void send_batch(struct batch *b)
{
    send_batch_on(b, true);
}

static void add(struct batch *b, struct in_addr v4)
{
    b->v4s[b->count++] = v4;
    if (b->count == BIA_MAX_USES)
        send_batch(b);
}

static void report(uint8_t type, struct in_addr v4)
{
    struct batch b = {.type = type, .v4s = {v4}, .count = 1};

    send_batch(&b);
}

/* ---- fork: the child announces what it inherited ---- */

static void add_one(struct in_addr v4, void *arg)
{
    add(arg, v4);
}

/* The sockets a walk over the records met, so that each counts once
 * however many descriptors carry it (at most BIA_MAX_USES). */
struct seen {
    unsigned long dev[BIA_MAX_USES], ino[BIA_MAX_USES];
    size_t count;
};

/* True if (dev, ino) was met before; else notes it. */
static bool met_before(struct seen *s, unsigned long dev, unsigned long ino)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->dev[i] == dev && s->ino[i] == ino)
            return true;
    s->dev[s->count] = dev;
    s->ino[s->count] = ino;
    s->count++;
    return false;
}

/* Sockets whose mapping has no count slot are reported one by one. */
struct uncounted {
    struct batch *batch;
    struct seen seen;
};

static bool add_uncounted(int fd, unsigned long dev, unsigned long ino,
                          const struct bia_fdinfo *info, void *arg)
{
    struct uncounted *u = arg;
    struct in_addr v4;

    (void)fd;
    if (met_before(&u->seen, dev, ino))
        return true;
    if (mapping_of(info, &v4) && bia_usecount_get(v4) < 0)
        add(u->batch, v4);
    if (info->v4local.s_addr && bia_usecount_get(info->v4local) < 0)
        add(u->batch, info->v4local);
    return u->seen.count < BIA_MAX_USES;
}

static bool used;   /* atomic: a mapping use was counted (a child has some to announce) */

void bia_usage_forked(void)
{
    struct batch b = {.type = BIA_T_USE};
    struct uncounted u = {.batch = &b};

    if (!__atomic_load_n(&used, __ATOMIC_ACQUIRE))
        return;
    bia_usecount_forked(add_one, &b);
    bia_fdtable_each(add_uncounted, &u);
    send_batch(&b);
}

/* One more socket uses v4; true when the helper must hear of it. */
static bool count_use(struct in_addr v4)
{
    if (!__atomic_load_n(&used, __ATOMIC_RELAXED))
        __atomic_store_n(&used, true, __ATOMIC_RELEASE);
    return bia_usecount_up(v4);
}

static void start_use(struct in_addr v4, struct batch *b)
{
    if (count_use(v4))
        add(b, v4);
}

/* ---- exec: the new program takes up the sockets it inherited ---- */

struct takeover {
    struct batch use, release;
    pid_t self;
    struct stat adopted[BIA_FDINHERIT_MAX];   /* each socket is one use, however many descriptors */
    int count;
};

/* Whether fd's socket was taken up already (on another descriptor); else notes it. */
static bool taken_before(struct takeover *t, int fd)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return true;
    for (int i = 0; i < t->count; i++)
        if (t->adopted[i].st_dev == st.st_dev && t->adopted[i].st_ino == st.st_ino)
            return true;
    if (t->count < BIA_FDINHERIT_MAX)
        t->adopted[t->count++] = st;
    return false;
}

static void take_up(int fd, const struct bia_fdinfo *info, pid_t announcer, void *arg)
{
    struct takeover *t = arg;
    struct in_addr v4;

    if (fd < 0)
        return;
    bia_fdtable_set(fd, info);   /* unconnected ones too (preswap.h) */
    if (!mapping_of(info, &v4) || taken_before(t, fd))
        return;
    if (announcer == t->self)
        (void)count_use(v4);   /* reported by this pid before the exec */
    else
        start_use(v4, &t->use);
}

/* A socket the old program (this pid) used that the exec closed: its use
 * ends with it, unless a socket this program took up keeps the mapping. */
static void give_back(int fd, const struct bia_fdinfo *info, pid_t announcer, void *arg)
{
    struct takeover *t = arg;
    struct in_addr v4;

    if (fd >= 0 || announcer != t->self || !mapping_of(info, &v4) || bia_usecount_get(v4) > 0)
        return;
    for (size_t i = 0; i < t->release.count; i++)
        if (t->release.v4s[i].s_addr == v4.s_addr)
            return;
    add(&t->release, v4);
}

__attribute__((constructor)) static void take_up_inherited(void)
{
    struct takeover t = {.use = {.type = BIA_T_USE}, .release = {.type = BIA_T_RELEASE}};

    if (!bia_active() || !getenv(BIA_FDINHERIT_NAME))
        return;
    t.self = getpid();
    bia_fdinherit_each(take_up, &t);
    bia_fdinherit_each(give_back, &t);
    if (t.count || t.release.count)
        bia_debug("took up %d inherited translated socket(s): %zu mapping use(s) announced, %zu ended by the exec",
                  t.count, t.use.count, t.release.count);
    /* Before main: the program finds its descriptors as the kernel left them. */
    send_batch_on(&t.use, false);
    send_batch_on(&t.release, false);
}

/* ---- lingering releases ---- */

/* Sends the RELEASEs whose linger is over (all of them if all). */
static void end_lingering(bool all)
{
    struct batch b = {.type = BIA_T_RELEASE};

    bia_usecount_end_due(all, add_one, &b);
    send_batch(&b);
}

void bia_usage_before_exec(void)
{
    if (bia_newproc_own())
        end_lingering(true);
}

/* A normal exit tells the helper at once; other ends are left to its reaping. */
__attribute__((destructor)) static void end_at_exit(void)
{
    bia_usage_before_exec();
}

/* ---- connect, accept, bind, close, dup2, close_range ---- */

static void end_use(int fd, const struct bia_fdid *id, struct in_addr v4);

void bia_usage_begin(int fd, const struct bia_fdinfo *before, const struct bia_fdinfo *info)
{
    struct batch b = {.type = BIA_T_USE};
    struct in_addr now, old;
    bool uses = mapping_of(info, &now);

    end_lingering(false);
    if (before && mapping_of(before, &old)) {
        if (uses && old.s_addr == now.s_addr)
            return;
        end_use(fd, &(struct bia_fdid){0}, old);   /* a datagram socket's new peer */
    }
    if (uses)
        start_use(now, &b);
    send_batch(&b);
}

void bia_usage_bound(int fd, struct in_addr v4)
{
    struct batch b = {.type = BIA_T_USE};
    struct bia_fdinfo info;

    if (!bia_newproc_own() || !bia_fdtable_get(fd, &info) || info.v4local.s_addr)
        return;
    info.v4local = v4;
    if (!bia_fdtable_set(fd, &info))
        return;
    start_use(v4, &b);
    send_batch(&b);
}

/* The mappings fd's socket uses (peer, bound address): how many, 0..2;
 * *id says which socket that is. */
static int mappings_of(int fd, struct in_addr v4s[2], struct bia_fdid *id)
{
    struct bia_fdinfo info;
    int n = 0;

    if (!bia_newproc_own() || !bia_fdtable_get_id(fd, &info, id))
        return 0;
    if (mapping_of(&info, &v4s[n]))
        n++;
    if (info.v4local.s_addr)
        v4s[n++] = info.v4local;
    return n;
}

/* fd (its socket id, if known), the socket's last descriptor unless
 * another is left, is closing. */
static void end_use(int fd, const struct bia_fdid *id, struct in_addr v4)
{
    struct bia_fdid self = *id;
    struct stat st;

    if (!self.known && fstat(fd, &st) == 0)
        self = (struct bia_fdid){.known = true, .dev = st.st_dev, .ino = st.st_ino};
    if (self.known && !bia_fdtable_held_elsewhere(self.dev, self.ino, fd, fd) &&
        bia_usecount_down(v4))
        report(BIA_T_RELEASE, v4);
}

void bia_usage_end(int fd, const struct bia_sockrec *rec)
{
    struct bia_fdid id = {.known = true, .dev = rec->dev, .ino = rec->ino};
    struct in_addr v4s[2];
    int n = 0;

    if (!(rec->parts & BIA_REC_TRANSLATED))
        return;
    if (mapping_of(&rec->tr, &v4s[n]))
        n++;
    if (rec->tr.v4local.s_addr)
        v4s[n++] = rec->tr.v4local;
    for (int i = 0; i < n; i++)
        end_use(fd, &id, v4s[i]);
    if (n)
        end_lingering(false);
}

void bia_usage_before_dup(int oldfd, int newfd)
{
    struct in_addr v4s[2];
    struct bia_fdid id;
    int n;

    /* The dup closes newfd's socket only if it succeeds: oldfd must be open. */
    if (oldfd == newfd || !(n = mappings_of(newfd, v4s, &id)) || bia_real()->fcntl(oldfd, F_GETFD) < 0)
        return;
    for (int i = 0; i < n; i++)
        end_use(newfd, &id, v4s[i]);
}

/* The sockets a close_range ends, each once. */
struct closing {
    unsigned first, last;
    struct batch release;
    struct seen seen;
};

static bool end_in_range(int fd, unsigned long dev, unsigned long ino,
                         const struct bia_fdinfo *info, void *arg)
{
    struct closing *c = arg;
    struct in_addr v4;

    bool peer = mapping_of(info, &v4);

    if ((unsigned)fd < c->first || (unsigned)fd > c->last || (!peer && !info->v4local.s_addr))
        return true;
    if (met_before(&c->seen, dev, ino))
        return true;
    if (!bia_fdtable_held_elsewhere(dev, ino, c->first, c->last)) {
        if (peer && bia_usecount_down(v4))
            add(&c->release, v4);
        if (info->v4local.s_addr && bia_usecount_down(info->v4local))
            add(&c->release, info->v4local);
    }
    return c->seen.count < BIA_MAX_USES;
}

void bia_usage_end_range(unsigned first, unsigned last)
{
    struct closing c = {.first = first, .last = last, .release = {.type = BIA_T_RELEASE}};

    if (!bia_newproc_own())
        return;
    bia_fdtable_each(end_in_range, &c);
    send_batch(&c.release);
    end_lingering(false);
}
