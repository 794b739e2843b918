/*
 * Records in envrec.h's form.
 */
#include "v6prog/v6inherit.h"

#include "exec/envrec.h"
#include "runtime/real.h"

#include <sys/socket.h>

struct record {
    struct bia_envrec_key key;   /* first: envrec.h */
    struct sockaddr_in6 peer;
    struct in_addr peer4;
    uint8_t backed, v6only;
} __attribute__((packed));

_Static_assert(sizeof(struct record) * 2 == BIA_V6INHERIT_RECORD, "record size");

static struct bia_envrec_var var = {.name = BIA_V6INHERIT_NAME};

bool bia_v6inherit_present(void)
{
    return bia_envrec_inherited(&var) != NULL;
}

/* r's socket is of the family r says. */
static bool matches(const void *rec, int fd, void *out)
{
    const struct record *r = rec;
    int domain = 0;
    socklen_t len = sizeof domain;

    if (bia_real()->getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) ||
        domain != (r->backed ? AF_INET : AF_INET6))
        return false;
    *(struct bia_v6prog *)out = (struct bia_v6prog){
        .peer = r->peer, .peer4 = r->peer4, .backed = r->backed, .v6only = r->v6only,
    };
    return true;
}

bool bia_v6inherit_find(int fd, struct bia_v6prog *out)
{
    return bia_envrec_find(&var, fd, sizeof(struct record), matches, out) >= 0;
}

static bool append_own(int fd, const struct bia_sockrec *rec, void *arg)
{
    struct record r = {
        .key = {.dev = rec->dev, .ino = rec->ino}, .peer = rec->v6.peer, .peer4 = rec->v6.peer4,
        .backed = rec->v6.backed, .v6only = rec->v6.v6only,
    };

    (void)fd;
    return bia_envrec_add_own(arg, &r);
}

bool bia_v6inherit_encode(char *text, const char *carried)
{
    struct bia_envrec_writer w;

    bia_envrec_begin(&w, text, BIA_V6INHERIT_NAME, sizeof(struct record));
    bia_sockrec_each(BIA_REC_V6PROG, append_own, &w);
    return bia_envrec_finish(&w, carried);
}
