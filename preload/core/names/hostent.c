/*
 * The buffer holds, pointer-aligned: h_addr_list (one pointer per address
 * and a NULL), h_aliases (just the NULL: the helper reports no aliases),
 * the addresses, and h_name.
 */
#include "names/hostent.h"

#include "bia_protocol.h"
#include "client/netmode.h"
#include "client/status.h"
#include "names/names.h"
#include "names/reverse.h"
#include "runtime/real.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#ifndef NETDB_INTERNAL   /* glibc's h_errno for "see errno"; musl has none */
#define NETDB_INTERNAL (-1)
#endif

/* Enough for the largest reply: BIA_MAX_ENTRIES IPv6 addresses and a full name. */
#define STATIC_BUFFER_SIZE                                                                   \
    (sizeof(char *) - 1 + (BIA_MAX_ENTRIES + 2) * sizeof(char *) + BIA_MAX_ENTRIES * 16 +    \
     BIA_MAX_NAME + 1)

/* The entries' addresses of family af (AF_INET: v4, AF_INET6: v6). */
static int fill(const struct bia_resolve *r, int af, struct hostent *ret, char *buf,
                size_t buflen)
{
    size_t size = af == AF_INET6 ? 16u : 4u;
    size_t pad = (sizeof(char *) - (uintptr_t)buf % sizeof(char *)) % sizeof(char *);
    size_t need = pad + (r->count + 2u) * sizeof(char *) + r->count * size + r->canon_len + 1u;
    char **addr_list, **aliases, *addrs, *canon;

    if (buflen < need)
        return ERANGE;
    addr_list = (char **)(buf + pad);
    aliases = addr_list + r->count + 1;
    addrs = (char *)(aliases + 1);
    canon = addrs + r->count * size;
    for (unsigned i = 0; i < r->count; i++) {
        const struct bia_entry *e = &r->entries[i];
        memcpy(addrs + size * i, af == AF_INET6 ? (const void *)&e->v6 : (const void *)&e->v4, size);
        addr_list[i] = addrs + size * i;
    }
    addr_list[r->count] = NULL;
    aliases[0] = NULL;
    memcpy(canon, r->canon, r->canon_len + 1u);
    *ret = (struct hostent){
        .h_name = canon,
        .h_aliases = aliases,
        .h_addrtype = af,
        .h_length = (int)size,
        .h_addr_list = addr_list,
    };
    return 0;
}

/* Sets the results of a failed lookup; returns what gethostbyname_r returns.
 * glibc's resolver also leaves the reason in the thread's h_errno, where
 * programs (Python among them) read it even after the _r forms. */
static int failed(int herr, int rc, struct hostent **result, int *h_errnop)
{
    *result = NULL;
    *h_errnop = herr;
    h_errno = herr;
    errno = rc;
    return rc;
}

/* The hostent for an answer of the helper (RESOLVE, NAME4 as one entry). */
static int answer(int asked, const struct bia_reply *reply, const struct bia_resolve *r, int af,
                  struct hostent *ret, char *buf, size_t buflen, struct hostent **result,
                  int *h_errnop)
{
    if (asked)
        return failed(TRY_AGAIN, EAGAIN, result, h_errnop);
    switch (reply->status) {
    case BIA_S_OK:
        break;
    case BIA_S_NOT_FOUND:
    case BIA_S_NO_DATA:
        return failed(bia_status_to_herrno(reply->status), 0, result, h_errnop);
    case BIA_S_TRY_AGAIN:
        return failed(TRY_AGAIN, EAGAIN, result, h_errnop);
    default:
        return failed(bia_status_to_herrno(reply->status), EIO, result, h_errnop);
    }
    if (fill(r, af, ret, buf, buflen))
        return failed(NETDB_INTERNAL, ERANGE, result, h_errnop);
    *result = ret;
    errno = 0;
    return 0;
}

int bia_gethostbyname4_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop)
{
    struct bia_reply reply;
    int asked = bia_resolve4(name, &reply);

    return answer(asked, &reply, &reply.u.resolve, AF_INET, ret, buf, buflen, result, h_errnop);
}

static bool ipv4_only(void)
{
    struct bia_netmode mode;

    bia_netmode_get(&mode);
    return mode.network == BIA_NET_IPV4_ONLY;
}

int bia_gethostbyname6_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop)
{
    struct bia_reply reply;
    int asked;

    if (!ipv4_only())
        return bia_real()->gethostbyname2_r(name, AF_INET6, ret, buf, buflen, result, h_errnop);
    asked = bia_resolve6(name, &reply);
    return answer(asked, &reply, &reply.u.resolve, AF_INET6, ret, buf, buflen, result, h_errnop);
}

int bia_gethostbyaddr4_r(struct in_addr v4, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop)
{
    struct bia_reply reply;
    struct bia_resolve r = {.count = 1, .entries[0].v4 = v4};
    int asked = bia_reverse_name4(v4, &reply);

    if (!asked && reply.status == BIA_S_OK) {
        r.canon_len = reply.u.name.len;
        memcpy(r.canon, reply.u.name.name, r.canon_len + 1u);
    }
    return answer(asked, &reply, &r, AF_INET, ret, buf, buflen, result, h_errnop);
}

/* The non-reentrant forms keep their answer in storage of the calling
 * thread; a failure's h_errno is already set. */
struct hostent *bia_gethostbyname4(const char *name)
{
    static __thread struct hostent host;
    static __thread char buf[STATIC_BUFFER_SIZE];
    struct hostent *result;
    int herr;

    bia_gethostbyname4_r(name, &host, buf, sizeof buf, &result, &herr);
    return result;
}

struct hostent *bia_gethostbyname6(const char *name)
{
    static __thread struct hostent host;
    static __thread char buf[STATIC_BUFFER_SIZE];
    struct hostent *result;
    int herr;

    if (!ipv4_only())
        return bia_real()->gethostbyname2(name, AF_INET6);
    bia_gethostbyname6_r(name, &host, buf, sizeof buf, &result, &herr);
    return result;
}

struct hostent *bia_gethostbyaddr4(struct in_addr v4)
{
    static __thread struct hostent host;
    static __thread char buf[STATIC_BUFFER_SIZE];
    struct hostent *result;
    int herr;

    bia_gethostbyaddr4_r(v4, &host, buf, sizeof buf, &result, &herr);
    return result;
}
