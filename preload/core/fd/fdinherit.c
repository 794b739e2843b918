/*
 * Records in envrec.h's form: the socket's key, then its peers and the pid
 * that announced its mapping use.
 */
#include "fd/fdinherit.h"

#include "exec/envrec.h"
#include "exec/hexrec.h"
#include "runtime/log.h"
#include "runtime/real.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct record {
    struct bia_envrec_key key;   /* first: envrec.h */
    struct in_addr v4;
    in_port_t v4port;
    struct in6_addr v6;
    in_port_t v6port;
    uint32_t announcer;   /* the pid whose USE covers the socket, 0 if none did */
} __attribute__((packed));

_Static_assert(sizeof(struct record) * 2 == BIA_FDINHERIT_RECORD, "record size");

static struct bia_envrec_var var = {.name = BIA_FDINHERIT_NAME};

struct found {
    struct bia_fdinfo *info;
    pid_t announcer;
};

static struct bia_fdinfo info_of(const struct record *r)
{
    return (struct bia_fdinfo){
        .v4peer = {.sin_family = AF_INET, .sin_port = r->v4port, .sin_addr = r->v4},
        .v6peer = {.sin6_family = AF_INET6, .sin6_port = r->v6port, .sin6_addr = r->v6},
    };
}

/* r names a swapped socket without a peer (made dual-stack at birth,
 * swapped for a bind or a datagram) and fd's socket is that AF_INET6 one,
 * still without a peer. */
static bool matches_unconnected(const struct record *r, int fd)
{
    static const struct in6_addr none;
    struct sockaddr_in6 peer;
    socklen_t len = sizeof peer;
    int domain;
    socklen_t domain_len = sizeof domain;

    return !r->v6port && !memcmp(&r->v6, &none, sizeof none) &&
           bia_real()->getpeername(fd, (struct sockaddr *)&peer, &len) && errno == ENOTCONN &&
           !bia_real()->getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &domain_len) &&
           domain == AF_INET6;
}

/* r's socket is still connected to r's peer (or still unconnected, for a
 * record without one). */
static bool matches(const void *rec, int fd, void *out)
{
    const struct record *r = rec;
    struct found *f = out;
    struct sockaddr_in6 peer;
    socklen_t len = sizeof peer;

    f->announcer = (pid_t)r->announcer;
    if (matches_unconnected(r, fd)) {
        *f->info = (struct bia_fdinfo){0};
        return true;
    }
    if (bia_real()->getpeername(fd, (struct sockaddr *)&peer, &len) || len != sizeof peer ||
        peer.sin6_family != AF_INET6 || peer.sin6_port != r->v6port ||
        memcmp(&peer.sin6_addr, &r->v6, sizeof r->v6))   /* packed: r->v6 may be unaligned */
        return false;
    *f->info = info_of(r);
    f->info->v6peer = peer;
    return true;
}

bool bia_fdinherit_find(int fd, struct bia_fdinfo *out)
{
    struct found f = {.info = out};

    return bia_envrec_find(&var, fd, sizeof(struct record), matches, &f) >= 0;
}

struct own_writer {
    struct bia_envrec_writer w;
    pid_t announcer;
};

static bool append_own(int fd, const struct bia_sockrec *rec, void *arg)
{
    struct own_writer *o = arg;
    struct record r = {
        .key = {.dev = rec->dev, .ino = rec->ino},
        .v4 = rec->tr.v4peer.sin_addr, .v4port = rec->tr.v4peer.sin_port,
        .v6 = rec->tr.v6peer.sin6_addr, .v6port = rec->tr.v6peer.sin6_port,
        .announcer = (uint32_t)o->announcer,
    };

    (void)fd;
    return bia_envrec_add_own(&o->w, &r);
}

bool bia_fdinherit_encode(char *text, const char *carried, pid_t announcer)
{
    struct own_writer o = {.announcer = announcer};

    bia_envrec_begin(&o.w, text, BIA_FDINHERIT_NAME, sizeof(struct record));
    bia_sockrec_each(BIA_REC_TRANSLATED, append_own, &o);
    return bia_envrec_finish(&o.w, carried);
}

/* The descriptor that carries one of the inherited sockets. */
static void adopt_fd(int fd, bia_fdinherit_fn *fn, void *arg, unsigned long *matched)
{
    struct bia_fdinfo info;
    struct found f = {.info = &info};
    int index = bia_envrec_find(&var, fd, sizeof(struct record), matches, &f);

    if (index < 0)
        return;
    if (index < (int)(8 * sizeof *matched))
        *matched |= 1ul << index;
    fn(fd, &info, f.announcer, arg);
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
    struct bia_fdinfo info = info_of(r);

    if (l->index < (int)(8 * sizeof l->matched) && !(l->matched & (1ul << l->index)))
        l->fn(-1, &info, (pid_t)r->announcer, l->arg);
    l->index++;
    return false;
}

void bia_fdinherit_each(bia_fdinherit_fn *fn, void *arg)
{
    struct leftover l = {.fn = fn, .arg = arg};
    const char *value = bia_envrec_inherited(&var);
    struct dirent *d;
    DIR *dir;

    if (!value)
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
    bia_hexrec_each(value, sizeof(struct record), report_leftover, &l);
}
