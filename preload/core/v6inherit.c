/*
 * Records in hexrec.h's text form.
 */
#include "v6inherit.h"

#include "hexrec.h"
#include "real.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

struct record {
    uint64_t dev, ino;
    struct sockaddr_in6 peer;
    struct in_addr peer4;
    uint8_t backed, v6only;
} __attribute__((packed));

_Static_assert(sizeof(struct record) * 2 == BIA_V6INHERIT_RECORD, "record size");

/* The inherited value, looked up once (NULL: none, the usual case). */
static const char *inherited(void)
{
    static const char *value;
    static bool looked;

    if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&value, getenv(BIA_V6INHERIT_NAME), __ATOMIC_RELAXED);
        __atomic_store_n(&looked, true, __ATOMIC_RELEASE);
    }
    return __atomic_load_n(&value, __ATOMIC_RELAXED);
}

bool bia_v6inherit_present(void)
{
    return inherited() != NULL;
}

struct search {
    int fd;
    struct stat st;
    struct bia_v6prog *out;
};

/* The socket on the descriptor is r's socket, of the family r says. */
static bool matches(const void *rec, void *arg)
{
    const struct record *r = rec;
    struct search *s = arg;
    int domain = 0;
    socklen_t len = sizeof domain;

    if (r->dev != (uint64_t)s->st.st_dev || r->ino != (uint64_t)s->st.st_ino ||
        bia_real()->getsockopt(s->fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) ||
        domain != (r->backed ? AF_INET : AF_INET6))
        return false;
    *s->out = (struct bia_v6prog){
        .peer = r->peer, .peer4 = r->peer4, .backed = r->backed, .v6only = r->v6only,
    };
    return true;
}

bool bia_v6inherit_find(int fd, struct bia_v6prog *out)
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
    char *p;
    int count;
    uint64_t own[BIA_V6INHERIT_MAX][2];   /* this process's sockets */
    int owned;
};

static void append(struct writer *w, const struct record *r)
{
    if (w->count == BIA_V6INHERIT_MAX)
        return;
    if (w->count++)
        *w->p++ = ',';
    w->p = bia_hexrec_encode(w->p, r, sizeof *r);
}

static bool append_own(unsigned long dev, unsigned long ino, const struct bia_v6prog *state,
                       void *arg)
{
    struct writer *w = arg;
    struct record r = {
        .dev = dev, .ino = ino, .peer = state->peer, .peer4 = state->peer4,
        .backed = state->backed, .v6only = state->v6only,
    };

    for (int i = 0; i < w->owned; i++)
        if (w->own[i][0] == dev && w->own[i][1] == ino)
            return true;                  /* the same socket on another descriptor */
    w->own[w->owned][0] = dev;
    w->own[w->owned][1] = ino;
    w->owned++;
    append(w, &r);
    return w->count < BIA_V6INHERIT_MAX;
}

static bool append_carried(const void *rec, void *arg)
{
    const struct record *r = rec;
    struct writer *w = arg;

    for (int i = 0; i < w->owned; i++)
        if (w->own[i][0] == r->dev && w->own[i][1] == r->ino)
            return false;
    append(w, r);
    return w->count == BIA_V6INHERIT_MAX;
}

bool bia_v6inherit_encode(char *text, const char *carried)
{
    struct writer w = {0};

    memcpy(text, BIA_V6INHERIT_NAME "=", sizeof BIA_V6INHERIT_NAME);
    w.p = text + sizeof BIA_V6INHERIT_NAME;
    bia_v6prog_each(append_own, &w);
    if (!w.owned)
        return false;
    bia_hexrec_each(carried, sizeof(struct record), append_carried, &w);
    *w.p = '\0';
    return true;
}
