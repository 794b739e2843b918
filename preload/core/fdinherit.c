/*
 * Records in hexrec.h's text form.
 */
#include "fdinherit.h"

#include "hexrec.h"
#include "log.h"
#include "real.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct record {
    uint64_t dev, ino;
    struct in_addr v4;
    in_port_t v4port;
    struct in6_addr v6;
    in_port_t v6port;
    uint32_t announcer;   /* the pid whose USE covers the socket, 0 if none did */
} __attribute__((packed));

_Static_assert(sizeof(struct record) * 2 == BIA_FDINHERIT_RECORD, "record size");

/* The inherited value, looked up once (NULL: none, the usual case). */
static const char *inherited(void)
{
    static const char *value;
    static bool looked;

    if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&value, getenv(BIA_FDINHERIT_NAME), __ATOMIC_RELAXED);
        __atomic_store_n(&looked, true, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&value, __ATOMIC_RELAXED);
}

struct search {
    int fd;
    struct stat st;
    struct bia_fdinfo *out;
    pid_t announcer;
    int index, found;   /* which record is being looked at, which matched */
};

/* The socket on the descriptor is r's socket, still connected to r's peer. */
static bool matches(const void *rec, void *arg)
{
    const struct record *r = rec;
    struct search *s = arg;
    struct sockaddr_in6 peer;
    socklen_t len = sizeof peer;

    s->index++;
    if (r->dev != (uint64_t)s->st.st_dev || r->ino != (uint64_t)s->st.st_ino ||
        bia_real()->getpeername(s->fd, (struct sockaddr *)&peer, &len) || len != sizeof peer ||
        peer.sin6_family != AF_INET6 || peer.sin6_port != r->v6port ||
        memcmp(&peer.sin6_addr, &r->v6, sizeof r->v6))   /* packed: r->v6 may be unaligned */
        return false;
    *s->out = (struct bia_fdinfo){
        .v4peer = {.sin_family = AF_INET, .sin_port = r->v4port, .sin_addr = r->v4},
        .v6peer = peer,
    };
    s->announcer = (pid_t)r->announcer;
    s->found = s->index - 1;
    return true;
}

bool bia_fdinherit_find(int fd, struct bia_fdinfo *out)
{
    struct search s = {.fd = fd, .out = out};
    const char *value = inherited();
    int saved = errno;
    bool found;

    if (!value)
        return false;
    found = fstat(fd, &s.st) == 0 && S_ISSOCK(s.st.st_mode) && bia_hexrec_each(value, sizeof(struct record), matches, &s);
    errno = saved;
    return found;
}

struct writer {
    pid_t announcer;
    char *p;
    int count;
    uint64_t own[BIA_FDINHERIT_MAX][2];   /* this process's sockets */
    int owned;
};

static void append(struct writer *w, const struct record *r)
{
    if (w->count == BIA_FDINHERIT_MAX)
        return;
    if (w->count++)
        *w->p++ = ',';
    w->p = bia_hexrec_encode(w->p, r, sizeof *r);
}

static bool append_own(int fd, unsigned long dev, unsigned long ino,
                       const struct bia_fdinfo *info, void *arg)
{
    struct writer *w = arg;
    struct record r = {
        .dev = dev, .ino = ino,
        .v4 = info->v4peer.sin_addr, .v4port = info->v4peer.sin_port,
        .v6 = info->v6peer.sin6_addr, .v6port = info->v6peer.sin6_port,
        .announcer = (uint32_t)w->announcer,
    };

    (void)fd;

    for (int i = 0; i < w->owned; i++)
        if (w->own[i][0] == dev && w->own[i][1] == ino)
            return true;                  /* the same socket on another descriptor */
    w->own[w->owned][0] = dev;
    w->own[w->owned][1] = ino;
    w->owned++;
    append(w, &r);
    return w->count < BIA_FDINHERIT_MAX;
}

static bool append_carried(const void *rec, void *arg)
{
    const struct record *r = rec;
    struct writer *w = arg;

    for (int i = 0; i < w->owned; i++)
        if (w->own[i][0] == r->dev && w->own[i][1] == r->ino)
            return false;
    append(w, r);
    return w->count == BIA_FDINHERIT_MAX;
}

bool bia_fdinherit_encode(char *text, const char *carried, pid_t announcer)
{
    struct writer w = {.announcer = announcer};

    memcpy(text, BIA_FDINHERIT_NAME "=", sizeof BIA_FDINHERIT_NAME);
    w.p = text + sizeof BIA_FDINHERIT_NAME;
    bia_fdtable_each(append_own, &w);
    if (!w.owned)
        return false;
    bia_hexrec_each(carried, sizeof(struct record), append_carried, &w);
    *w.p = '\0';
    return true;
}

/* The descriptor that carries one of the inherited sockets. */
static void adopt_fd(int fd, bia_fdinherit_fn *fn, void *arg, unsigned long *matched)
{
    struct bia_fdinfo info;
    struct search s = {.fd = fd, .out = &info};

    if (fstat(fd, &s.st) || !S_ISSOCK(s.st.st_mode) ||
        !bia_hexrec_each(inherited(), sizeof(struct record), matches, &s))
        return;
    if (s.found < (int)(8 * sizeof *matched))
        *matched |= 1ul << s.found;
    fn(fd, &info, s.announcer, arg);
}

struct leftover {
    unsigned long matched;
    int index;
    bia_fdinherit_fn *fn;
    void *arg;
};

/* A record whose socket no descriptor carries. */
static bool report_leftover(const void *rec, void *arg)
{
    const struct record *r = rec;
    struct leftover *l = arg;
    struct bia_fdinfo info = {
        .v4peer = {.sin_family = AF_INET, .sin_port = r->v4port, .sin_addr = r->v4},
        .v6peer = {.sin6_family = AF_INET6, .sin6_port = r->v6port, .sin6_addr = r->v6},
    };

    if (l->index < (int)(8 * sizeof l->matched) && !(l->matched & (1ul << l->index)))
        l->fn(-1, &info, (pid_t)r->announcer, l->arg);
    l->index++;
    return false;
}

void bia_fdinherit_each(bia_fdinherit_fn *fn, void *arg)
{
    struct leftover l = {.fn = fn, .arg = arg};
    struct dirent *d;
    DIR *dir;

    if (!inherited())
        return;
    dir = opendir("/proc/self/fd");
    if (!dir) {
        bia_debug("cannot list /proc/self/fd: inherited translated sockets are found only when used");
        return;
    }
    while ((d = readdir(dir)))
        if (d->d_name[0] != '.' && atoi(d->d_name) != dirfd(dir))
            adopt_fd(atoi(d->d_name), fn, arg, &l.matched);
    closedir(dir);
    bia_hexrec_each(inherited(), sizeof(struct record), report_leftover, &l);
}
