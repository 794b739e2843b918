#include "v6prog/v6prog.h"

#include "bia_protocol.h"
#include "client/helper_client.h"
#include "client/mapcache.h"
#include "client/netmode.h"
#include "runtime/log.h"
#include "runtime/newproc.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"
#include "v6prog/synth.h"
#include "v6prog/v6inherit.h"
#include "v6prog/v6only.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#define SLOTS 4096

struct slot {
    unsigned long dev, ino;     /* the socket's; ino 0: none */
    struct bia_v6prog state;
};

static struct slot slots[SLOTS];

static bool identify(int fd, struct stat *st)
{
    return fd >= 0 && fd < SLOTS && fstat(fd, st) == 0 && st->st_ino;
}

/* Publishes state for fd's socket; the inode last, so that a reader never
 * takes a half-written state for the socket's. A child sharing this memory
 * (vfork, CLONE_VM; newproc.h) has descriptors of its own: it writes only
 * a free slot or one of the same socket, never its parent's mark for
 * another. */
static void store(int fd, const struct stat *st, const struct bia_v6prog *state)
{
    unsigned long held = __atomic_load_n(&slots[fd].ino, __ATOMIC_ACQUIRE);

    if (held && held != (unsigned long)st->st_ino && !bia_newproc_own())
        return;
    __atomic_store_n(&slots[fd].ino, 0, __ATOMIC_RELEASE);
    slots[fd].dev = st->st_dev;
    slots[fd].state = *state;
    __atomic_store_n(&slots[fd].ino, (unsigned long)st->st_ino, __ATOMIC_RELEASE);
}

/* fd's state, whether marked here or inherited across exec (v6inherit.h). */
static bool lookup(int fd, const struct stat *st, struct bia_v6prog *out)
{
    if (__atomic_load_n(&slots[fd].ino, __ATOMIC_ACQUIRE) == st->st_ino &&
        slots[fd].dev == st->st_dev) {
        *out = slots[fd].state;
        return true;
    }
    if (!bia_v6inherit_find(fd, out))
        return false;
    store(fd, st, out);
    return true;
}

/* A sendto keeps the peer a connect recorded; neither changes what the
 * socket is (backed, its IPV6_V6ONLY). */
static void mark(int fd, const struct bia_v6prog *state)
{
    struct bia_v6prog next = {0};
    struct stat st;

    if (!identify(fd, &st))
        return;
    lookup(fd, &st, &next);
    if (state) {
        next.peer = state->peer;
        next.peer4 = state->peer4;
    }
    store(fd, &st, &next);
}

void bia_v6prog_mark_accepted(int fd, const struct bia_v6prog *listener)
{
    mark(fd, NULL);
    if (listener->backed)
        bia_v6prog_mark_backed(fd);
}

void bia_v6prog_mark_backed(int fd)
{
    struct bia_v6prog state = {0};
    struct stat st;

    if (!identify(fd, &st))
        return;
    lookup(fd, &st, &state);
    state.backed = true;
    store(fd, &st, &state);
}

void bia_v6prog_set_v6only(int fd, bool on)
{
    struct bia_v6prog state;
    struct stat st;

    if (identify(fd, &st) && lookup(fd, &st, &state)) {
        state.v6only = on;
        store(fd, &st, &state);
    }
}

bool bia_v6prog_get(int fd, struct bia_v6prog *out)
{
    struct stat st;
    int saved = errno;
    bool found;

    /* No mark and nothing inherited: no system call. */
    if (fd < 0 || fd >= SLOTS ||
        (!__atomic_load_n(&slots[fd].ino, __ATOMIC_ACQUIRE) && !bia_v6inherit_present()))
        return false;
    found = identify(fd, &st) && lookup(fd, &st, out);
    errno = saved;
    return found;
}

void bia_v6prog_copy(int oldfd, int newfd)
{
    struct bia_v6prog state;
    struct stat st;
    int saved = errno;          /* the dup succeeded: errno stays as it was */

    if (bia_v6prog_get(oldfd, &state) && identify(newfd, &st))
        store(newfd, &st, &state);
    errno = saved;
}

void bia_v6prog_each(bia_v6prog_fn *fn, void *arg)
{
    struct bia_v6prog state;
    struct stat st;

    for (int fd = 0; fd < SLOTS; fd++) {
        if (__atomic_load_n(&slots[fd].ino, __ATOMIC_ACQUIRE) && identify(fd, &st) &&
            lookup(fd, &st, &state) && !fn(st.st_dev, st.st_ino, &state, arg))
            return;
    }
}

/* The IPv4 partner of an AAAA address this process resolved for a
 * dual-stack name (a PAIRED entry), on a network without IPv6. Only the
 * process's mapping cache is asked, so a native IPv6 connect costs nothing
 * more than a lookup in it. */
static bool paired_v4(const struct in6_addr *a, struct in_addr *v4)
{
    struct bia_netmode mode;
    struct bia_entry e;

    if (!bia_mapcache_find_v6(a, &e) || e.kind != BIA_K_PAIRED)
        return false;
    bia_netmode_get(&mode);
    if (mode.network != BIA_NET_IPV4_ONLY)
        return false;
    *v4 = e.v4;
    return true;
}

bool bia_v6prog_learn_pair(const struct sockaddr *addr, socklen_t len)
{
    char why[BIA_WHY_SIZE];
    struct bia_netmode mode;
    struct sockaddr_in6 dst;
    struct bia_reply reply;

    if (len < sizeof dst || addr->sa_family != AF_INET6)
        return false;
    memcpy(&dst, addr, sizeof dst);
    bia_netmode_get(&mode);
    if (mode.network != BIA_NET_IPV4_ONLY || IN6_IS_ADDR_V4MAPPED(&dst.sin6_addr) ||
        IN6_IS_ADDR_LOOPBACK(&dst.sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&dst.sin6_addr) ||
        IN6_IS_ADDR_MULTICAST(&dst.sin6_addr) || IN6_IS_ADDR_UNSPECIFIED(&dst.sin6_addr))
        return false;
    if (bia_helper_map6(&dst.sin6_addr, &reply, why)) {
        bia_debug("no IPv4 partner asked for: %s", why);
        return false;
    }
    if (reply.status != BIA_S_OK || reply.u.entry.kind != BIA_K_PAIRED) {
        bia_debug("no IPv4 partner: the helper answered %s kind %d", bia_status_name(reply.status),
                  reply.u.entry.kind);
        return false;
    }
    /* The record's own ttl (0 from many servers): kept at least for the
     * connect that asked. */
    if (!reply.u.entry.ttl)
        reply.u.entry.ttl = 1;
    bia_mapcache_put(&reply.u.entry);
    return true;
}

int bia_v6prog_destination(int fd, const struct sockaddr *addr, socklen_t len,
                           struct sockaddr_in6 *to, bool connecting)
{
    char from_text[BIA_ADDRSTR_SIZE], to_text[BIA_ADDRSTR_SIZE];
    struct bia_v6prog state = {0};
    struct sockaddr_in6 dst;
    int rc;

    if (len < sizeof dst)
        return 1;
    memcpy(&dst, addr, sizeof dst);     /* the program's buffer may be unaligned */
    if (dst.sin6_family != AF_INET6)
        return 1;
    if (IN6_IS_ADDR_V4MAPPED(&dst.sin6_addr)) {
        bia_v6only_lift(fd);
        return 1;
    }
    /* Never synthesized nor paired: no lookup at all. */
    if (IN6_IS_ADDR_LOOPBACK(&dst.sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&dst.sin6_addr) ||
        IN6_IS_ADDR_MULTICAST(&dst.sin6_addr) || IN6_IS_ADDR_UNSPECIFIED(&dst.sin6_addr))
        return 1;
    rc = bia_synth_to_v4(&dst.sin6_addr, &state.peer4);
    if (rc < 0)
        return -1;
    if (rc == 0 && !paired_v4(&dst.sin6_addr, &state.peer4))
        return 1;
    bia_sin6_mapped(to, state.peer4, dst.sin6_port);
    bia_v6only_lift(fd);
    if (connecting)
        state.peer = dst;
    mark(fd, connecting ? &state : NULL);
    bia_info("%s %s -> %s", connecting ? "connect" : "send", bia_sin6_str(&dst, from_text),
             bia_sin6_str(to, to_text));
    return 0;
}

static bool v6only_any(int fd, const struct sockaddr_in6 *a)
{
    int on = 0;
    socklen_t len = sizeof on;

    return IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr) &&
           !bia_real()->getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len) && on;
}

int bia_v6prog_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    char text[BIA_ADDRSTR_SIZE];
    struct bia_netmode mode;
    struct sockaddr_in6 a;

    if (len < sizeof a || addr->sa_family != AF_INET6)
        return bia_real()->bind(fd, addr, len);
    memcpy(&a, addr, sizeof a);     /* the program's buffer may be unaligned */
    if (!v6only_any(fd, &a))
        return bia_real()->bind(fd, addr, len);
    bia_netmode_get(&mode);
    if (mode.network != BIA_NET_IPV4_ONLY || !bia_v6only_lift(fd))
        return bia_real()->bind(fd, addr, len);
    if (bia_real()->bind(fd, addr, len) == 0) {
        if (!bia_synth_is_mapped())
            mark(fd, NULL);
        bia_info("bind %s: IPV6_V6ONLY lifted, so that IPv4 clients reach this IPv6-only server",
                 bia_sin6_str(&a, text));
        return 0;
    }
    bia_debug("bind %s with IPV6_V6ONLY lifted: %s; binding as asked", bia_sin6_str(&a, text),
              strerror(errno));
    bia_v6only_restore(fd);
    return bia_real()->bind(fd, addr, len);
}

void bia_v6prog_addr_out(const struct bia_v6prog *state, struct in6_addr *a)
{
    struct in_addr v4;

    if (!bia_v6_is_mapped(a, &v4))
        return;
    if (state->peer.sin6_family == AF_INET6 && v4.s_addr == state->peer4.s_addr)
        *a = state->peer.sin6_addr;
    else
        bia_synth_from_v4(v4, a);    /* left mapped if the helper cannot say */
}

int bia_v6prog_copy_out(const struct sockaddr_storage *kernel, socklen_t kernel_len,
                        const struct bia_v6prog *state, struct sockaddr *dst, socklen_t *len)
{
    struct sockaddr_in6 a;

    if (kernel_len >= sizeof(struct sockaddr_in) && kernel->ss_family == AF_INET && state->backed) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)kernel;
        bia_sin6_mapped(&a, in->sin_addr, in->sin_port);    /* then as if the kernel gave it so */
        if (in->sin_addr.s_addr == htonl(INADDR_ANY))
            a.sin6_addr = in6addr_any;
        kernel_len = sizeof a;
    } else if (kernel_len < sizeof a || kernel->ss_family != AF_INET6) {
        return bia_sockaddr_copy_out(kernel, kernel_len, dst, len);
    } else {
        memcpy(&a, kernel, sizeof a);
    }
    bia_v6prog_addr_out(state, &a.sin6_addr);
    return bia_sockaddr_copy_out(&a, kernel_len, dst, len);
}
