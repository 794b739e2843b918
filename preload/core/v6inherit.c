/*
 * A record is the hex of struct record's bytes, records separated by
 * commas, as in fdinherit.c (same machine: native byte order is fine).
 */
#include "v6inherit.h"

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

static const char hex[] = "0123456789abcdef";

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

static int digit(char c)
{
    const char *p = c ? strchr(hex, c) : NULL;

    return p ? (int)(p - hex) : -1;
}

/* Decodes the record at text; false if it is not one. */
static bool decode(const char *text, struct record *r)
{
    unsigned char *bytes = (unsigned char *)r;

    for (size_t i = 0; i < sizeof *r; i++) {
        int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    return text[BIA_V6INHERIT_RECORD] == ',' || text[BIA_V6INHERIT_RECORD] == '\0';
}

static char *encode(char *p, const struct record *r)
{
    const unsigned char *bytes = (const unsigned char *)r;

    for (size_t i = 0; i < sizeof *r; i++) {
        *p++ = hex[bytes[i] >> 4];
        *p++ = hex[bytes[i] & 15];
    }
    return p;
}

/* Calls fn on each well-formed record of value until it returns true. */
static bool each_record(const char *value, bool (*fn)(const struct record *, void *), void *arg)
{
    struct record r;

    while (value && strlen(value) >= BIA_V6INHERIT_RECORD) {
        if (decode(value, &r) && fn(&r, arg))
            return true;
        value = strchr(value, ',');
        value = value ? value + 1 : NULL;
    }
    return false;
}

struct search {
    int fd;
    struct stat st;
    struct bia_v6prog *out;
};

/* The socket on the descriptor is r's socket, of the family r says. */
static bool matches(const struct record *r, void *arg)
{
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
    found = fstat(fd, &s.st) == 0 && S_ISSOCK(s.st.st_mode) && each_record(value, matches, &s);
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
    w->p = encode(w->p, r);
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

static bool append_carried(const struct record *r, void *arg)
{
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
    each_record(carried, append_carried, &w);
    *w.p = '\0';
    return true;
}
