/*
 * Lists are built the way glibc builds its own: one allocation per node
 * holding the addrinfo and its sockaddr, ai_canonname allocated
 * separately. The heads handed out are kept in a small registry so that
 * freeaddrinfo() knows them; a list that does not fit in the registry (a
 * program holding many at once) or is freed from a later node is still
 * freed correctly by glibc's freeaddrinfo because of that layout.
 */
#define _GNU_SOURCE /* EAI_NODATA, EAI_ADDRFAMILY */
#include "names/addrinfo.h"

#include "client/netmode.h"
#include "client/status.h"
#include "names/names.h"
#include "runtime/forksafe.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "v6prog/synth.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define REGISTRY_SIZE 64

static struct addrinfo *registry[REGISTRY_SIZE];
static unsigned registered;       /* read without the lock for the fast path */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void register_lock(void)
{
    bia_forksafe_register(&lock);
}

static void remember_head(struct addrinfo *head)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, register_lock);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < REGISTRY_SIZE; i++) {
        if (!registry[i]) {
            registry[i] = head;
            __atomic_add_fetch(&registered, 1, __ATOMIC_RELEASE);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

static bool forget_head(struct addrinfo *head)
{
    bool found = false;

    if (!__atomic_load_n(&registered, __ATOMIC_ACQUIRE))
        return false;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < REGISTRY_SIZE && !found; i++) {
        if (registry[i] == head) {
            registry[i] = NULL;
            __atomic_sub_fetch(&registered, 1, __ATOMIC_RELEASE);
            found = true;
        }
    }
    pthread_mutex_unlock(&lock);
    return found;
}

static void free_list(struct addrinfo *ai)
{
    while (ai) {
        struct addrinfo *next = ai->ai_next;
        free(ai->ai_canonname);
        free(ai);
        ai = next;
    }
}

bool bia_addrinfo_release(struct addrinfo *ai)
{
    if (!ai || !forget_head(ai))
        return false;
    free_list(ai);
    return true;
}

/* One node: template's socket type, protocol and port, and e's address of
 * the family asked for (AF_INET: v4, AF_INET6: v6). */
static struct addrinfo *make_node(const struct addrinfo *template, const struct bia_entry *e,
                                  int family, int flags)
{
    struct addrinfo *ai = malloc(sizeof *ai + sizeof(struct sockaddr_in6));
    in_port_t port = ((const struct sockaddr_in *)template->ai_addr)->sin_port;

    if (!ai)
        return NULL;
    *ai = (struct addrinfo){
        .ai_flags = flags,
        .ai_family = family,
        .ai_socktype = template->ai_socktype,
        .ai_protocol = template->ai_protocol,
        .ai_addr = (struct sockaddr *)(ai + 1),
    };
    if (family == AF_INET6) {
        bia_sin6_make((struct sockaddr_in6 *)ai->ai_addr, &e->v6, port);
        ai->ai_addrlen = sizeof(struct sockaddr_in6);
    } else {
        bia_sin_make((struct sockaddr_in *)ai->ai_addr, e->v4, port);
        ai->ai_addrlen = sizeof(struct sockaddr_in);
    }
    return ai;
}

/* Every address of the reply, in its order, times every template; NULL
 * when memory ran out. */
static struct addrinfo *nodes(const struct bia_resolve *r, const struct addrinfo *templates,
                              int family, int flags)
{
    struct addrinfo *head = NULL, **tail = &head;

    for (unsigned i = 0; i < r->count; i++) {
        for (const struct addrinfo *t = templates; t; t = t->ai_next) {
            if (!(*tail = make_node(t, &r->entries[i], family, flags))) {
                free_list(head);
                return NULL;
            }
            tail = &(*tail)->ai_next;
        }
    }
    return head;
}

static int build(const struct bia_resolve *r, const struct addrinfo *templates,
                 const struct addrinfo *hints, struct addrinfo **res)
{
    struct addrinfo *head = nodes(r, templates, hints->ai_family, hints->ai_flags);

    if (!head)
        return EAI_MEMORY;
    if ((hints->ai_flags & AI_CANONNAME) && !(head->ai_canonname = strdup(r->canon))) {
        free_list(head);
        return EAI_MEMORY;
    }
    remember_head(head);
    *res = head;
    return 0;
}

/* Asks libc for the socket type / protocol / port combinations of the
 * request, with a numeric address so that no name is looked up. */
static int templates_for(const char *service, const struct addrinfo *hints,
                         struct addrinfo **templates)
{
    struct addrinfo probe = {
        .ai_flags = (hints->ai_flags & ~(AI_CANONNAME | AI_ADDRCONFIG | AI_V4MAPPED | AI_ALL)) |
                    AI_NUMERICHOST,
        .ai_family = AF_INET,
        .ai_socktype = hints->ai_socktype,
        .ai_protocol = hints->ai_protocol,
    };

    return bia_real()->getaddrinfo("0.0.0.0", service, &probe, templates);
}

static bool has_v4(const struct bia_resolve *r, unsigned count, struct in_addr v4)
{
    for (unsigned i = 0; i < count; i++)
        if (IN6_IS_ADDR_V4MAPPED(&r->entries[i].v6) && r->entries[i].v4.s_addr == v4.s_addr)
            return true;
    return false;
}

/*
 * AF_INET6 with AI_V4MAPPED (RFC 3493): the program asked for IPv4-mapped
 * addresses where a name has no IPv6 one, so an A-only name is answered
 * ::ffff:a.b.c.d whatever the synthesis format; with AI_ALL too, the A
 * records of a dual-stack name follow its AAAA records in that form. AI_ALL
 * alone means nothing, as in glibc.
 */
static void apply_v4mapped(struct bia_resolve *r, int flags)
{
    struct sockaddr_in6 mapped;
    unsigned n = r->count;

    if (!(flags & AI_V4MAPPED))
        return;
    for (unsigned i = 0; i < n; i++) {
        struct bia_entry *e = &r->entries[i];
        if (e->kind == BIA_K_SYNTHETIC) {
            bia_sin6_mapped(&mapped, e->v4, 0);
            e->v6 = mapped.sin6_addr;
        } else if ((flags & AI_ALL) && e->kind == BIA_K_PAIRED && r->count < BIA_MAX_ENTRIES &&
                   !has_v4(r, r->count, e->v4)) {
            bia_sin6_mapped(&mapped, e->v4, 0);
            r->entries[r->count++] = (struct bia_entry){BIA_K_SYNTHETIC, e->v4, mapped.sin6_addr, e->ttl};
        }
    }
}

/* The helper's answer for node, as a list of hints->ai_family addresses. */
static int from_helper(const char *node, const char *service, const struct addrinfo *hints,
                       struct addrinfo **res)
{
    struct addrinfo *templates;
    struct bia_reply reply;
    int rc = templates_for(service, hints, &templates);

    if (rc)
        return rc;
    if ((hints->ai_family == AF_INET6 ? bia_resolve6 : bia_resolve4)(node, &reply))
        rc = EAI_AGAIN;
    else if (reply.status != BIA_S_OK)
        rc = bia_status_to_eai(reply.status);
    else {
        if (hints->ai_family == AF_INET6)
            apply_v4mapped(&reply.u.resolve, hints->ai_flags);
        rc = build(&reply.u.resolve, templates, hints, res);
    }
    bia_real()->freeaddrinfo(templates);
    if (rc == EAI_SYSTEM)
        errno = EIO;        /* BAD_REQUEST, BAD_VERSION: the helper spoke another language */
    return rc;
}

int bia_getaddrinfo4(const char *node, const char *service, const struct addrinfo *hints,
                     struct addrinfo **res)
{
    return from_helper(node, service, hints, res);
}

static bool has_family(const struct addrinfo *ai, int family)
{
    for (; ai; ai = ai->ai_next)
        if (ai->ai_family == family)
            return true;
    return false;
}

/* Whether the network has IP version `family` (AF_INET or AF_INET6). */
static bool network_has(int family)
{
    struct bia_netmode mode;

    bia_netmode_get(&mode);
    return mode.network == BIA_NET_DUAL ||
           mode.network == (family == AF_INET6 ? BIA_NET_IPV6_ONLY : BIA_NET_IPV4_ONLY);
}

/* Appends a synthesized IPv6 node for each IPv4 one of the list, in the
 * helper's format (core/v6prog/synth.h): computed here, without a round trip,
 * except for the pool format. On any failure the list stays as it was. */
static void append_synthesized6(struct addrinfo *list)
{
    struct addrinfo *added = NULL, **tail = &added, *last = list;

    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        last = ai;
        if (ai->ai_family != AF_INET)
            continue;
        struct bia_entry e = {.kind = BIA_K_SYNTHETIC};
        if (bia_synth_from_v4(((const struct sockaddr_in *)ai->ai_addr)->sin_addr, &e.v6) ||
            !(*tail = make_node(ai, &e, AF_INET6, ai->ai_flags))) {
            free_list(added);
            return;
        }
        tail = &(*tail)->ai_next;
    }
    last->ai_next = added;
}

/* Appends the helper's IPv4 addresses for node to the list; on any
 * failure the list stays as libc gave it. */
static void append4(const char *node, const char *service, const struct addrinfo *hints,
                    struct addrinfo *list)
{
    struct addrinfo hints4 = {
        .ai_flags = hints ? hints->ai_flags : 0,
        .ai_family = AF_INET,
        .ai_socktype = hints ? hints->ai_socktype : 0,
        .ai_protocol = hints ? hints->ai_protocol : 0,
    }, *templates;
    struct bia_reply reply;

    if (templates_for(service, &hints4, &templates))
        return;
    if (!bia_resolve4(node, &reply) && reply.status == BIA_S_OK) {
        while (list->ai_next)
            list = list->ai_next;
        list->ai_next = nodes(&reply.u.resolve, templates, AF_INET, hints4.ai_flags);
    }
    bia_real()->freeaddrinfo(templates);
}

/* libc finds no IPv6 address where the name has none, or where the host
 * has none and the program asked for AI_ADDRCONFIG. */
static bool libc_found_no_v6(int rc)
{
    return rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY;
}

int bia_getaddrinfo6(const char *node, const char *service, const struct addrinfo *hints,
                     struct addrinfo **res)
{
    struct bia_netmode mode;
    int rc;

    bia_netmode_get(&mode);
    if (mode.network == BIA_NET_IPV4_ONLY)
        return from_helper(node, service, hints, res);
    rc = bia_real()->getaddrinfo(node, service, hints, res);
    if (mode.network == BIA_NET_DUAL && libc_found_no_v6(rc) && !from_helper(node, service, hints, res))
        return 0;
    return rc;
}

/* An IPv6 address of the list that is reached over IPv6 only: not
 * v4-mapped, loopback or link-local. */
static bool has_global6(const struct addrinfo *ai)
{
    for (; ai; ai = ai->ai_next) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
        if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(struct sockaddr_in6) &&
            !IN6_IS_ADDR_V4MAPPED(a) && !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_LINKLOCAL(a))
            return true;
    }
    return false;
}

/* On an IPv4-only network, the AAAA addresses of libc's answer are reached
 * through their PAIRED entries (v6prog.h), which only the helper makes:
 * asked for the name as AF_INET6 would be, for the mapping cache alone. A
 * program that picks the AAAA address itself (curl -6 resolves AF_UNSPEC
 * and keeps the IPv6 entries) then connects to it over IPv4. */
static void learn_pairs(const char *node)
{
    struct bia_netmode mode;
    struct bia_reply reply;

    bia_netmode_get(&mode);
    if (mode.network == BIA_NET_IPV4_ONLY)
        bia_resolve6(node, &reply);
}

int bia_getaddrinfo_any(const char *node, const char *service, const struct addrinfo *hints,
                        struct addrinfo **res)
{
    int rc = bia_real()->getaddrinfo(node, service, hints, res);

    if (!rc && !has_family(*res, AF_INET) && network_has(AF_INET6))
        append4(node, service, hints, *res);
    else if (!rc && !has_family(*res, AF_INET6) && network_has(AF_INET))
        append_synthesized6(*res);
    else if (!rc && has_global6(*res))
        learn_pairs(node);
    return rc;
}
