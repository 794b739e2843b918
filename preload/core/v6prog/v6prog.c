#include "v6prog/v6prog.h"

#include "bia_protocol.h"
#include "client/helper_client.h"
#include "client/mapcache.h"
#include "client/netmode.h"
#include "fd/sockrec.h"
#include "ftp/ftpalg.h"
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

/* Stores state as the mark of the socket rec names (fd's), keeping the
 * record's other parts for the same socket. */
static void store(int fd, struct bia_sockrec *rec, const struct bia_v6prog *state)
{
    struct bia_v6prog mark = *state;    /* state may be rec's own */

    bia_sockrec_fill(fd, rec);
    rec->v6 = mark;
    rec->parts |= BIA_REC_V6PROG;
    bia_sockrec_put(fd, rec);
}

/* fd's mark, whether made here or inherited across exec (v6inherit.h);
 * *rec names fd's socket either way when it returns true. */
static bool lookup(int fd, struct bia_sockrec *rec)
{
    if (bia_sockrec_get(fd, BIA_REC_V6PROG, rec))
        return true;
    if (!bia_v6inherit_present() || !bia_sockrec_identify(fd, rec) ||
        !bia_v6inherit_find(fd, &rec->v6))
        return false;
    store(fd, rec, &rec->v6);
    return true;
}

/* fd's mark, or a new one; false if fd is not open. */
static bool mark_of(int fd, struct bia_sockrec *rec)
{
    if (lookup(fd, rec))
        return true;
    if (!bia_sockrec_identify(fd, rec))
        return false;
    rec->v6 = (struct bia_v6prog){0};
    return true;
}

/* A sendto keeps the peer a connect recorded; neither changes what the
 * socket is (backed, its IPV6_V6ONLY). */
static void mark(int fd, const struct bia_v6prog *state)
{
    struct bia_sockrec rec;

    if (!mark_of(fd, &rec))
        return;
    if (state) {
        rec.v6.peer = state->peer;
        rec.v6.peer4 = state->peer4;
    }
    store(fd, &rec, &rec.v6);
}

void bia_v6prog_mark_accepted(int fd, const struct bia_v6prog *listener)
{
    mark(fd, NULL);
    if (listener->backed)
        bia_v6prog_mark_backed(fd);
}

void bia_v6prog_mark_backed(int fd)
{
    struct bia_sockrec rec;

    if (!mark_of(fd, &rec))
        return;
    rec.v6.backed = true;
    store(fd, &rec, &rec.v6);
}

void bia_v6prog_set_v6only(int fd, bool on)
{
    struct bia_sockrec rec;

    if (lookup(fd, &rec)) {
        rec.v6.v6only = on;
        store(fd, &rec, &rec.v6);
    }
}

bool bia_v6prog_get(int fd, struct bia_v6prog *out)
{
    struct bia_sockrec rec;
    int saved = errno;
    bool found;

    /* No mark and nothing inherited: no system call. */
    if (!bia_sockrec_any(BIA_REC_V6PROG) && !bia_v6inherit_present())
        return false;
    found = lookup(fd, &rec);
    if (found)
        *out = rec.v6;
    errno = saved;
    return found;
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

/* A connect to an FTP server's control port through an IPv4 address
 * (ftp/ftpalg.h). */
static void ftp_control(int fd, const struct sockaddr_in6 *dst, bool connecting)
{
    if (connecting && bia_ftp_port(dst->sin6_port))
        bia_ftp_mark(fd, (struct bia_ftpctl){.v6prog = true});
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
        ftp_control(fd, &dst, connecting);
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
    ftp_control(fd, &dst, connecting);
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

/* A bind to a synthesized address: one of this host's IPv4 addresses as
 * getsockname showed it (lftp binds its FTP data socket to the control
 * connection's local address), bound as its IPv4-mapped form. 1: not
 * synthesized, bind as asked. */
static int bind_synthesized(int fd, const struct sockaddr_in6 *a)
{
    char from_text[BIA_ADDRSTR_SIZE], to_text[BIA_ADDRSTR_SIZE];
    struct sockaddr_in6 to;
    struct in_addr v4;
    bool lifted;

    if (bia_synth_to_v4(&a->sin6_addr, &v4) != 1)
        return 1;    /* a pool address the helper does not know fails as the kernel says */
    bia_sin6_mapped(&to, v4, a->sin6_port);
    lifted = bia_v6only_lift(fd);
    if (bia_real()->bind(fd, (const struct sockaddr *)&to, sizeof to)) {
        if (lifted)
            bia_v6only_restore(fd);
        return -1;
    }
    mark(fd, NULL);
    bia_info("bind %s -> %s", bia_sin6_str(a, from_text), bia_sin6_str(&to, to_text));
    return 0;
}

int bia_v6prog_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    char text[BIA_ADDRSTR_SIZE];
    struct bia_netmode mode;
    struct sockaddr_in6 a;
    int rc;

    if (len < sizeof a || addr->sa_family != AF_INET6)
        return bia_real()->bind(fd, addr, len);
    memcpy(&a, addr, sizeof a);     /* the program's buffer may be unaligned */
    if (!IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr) && (rc = bind_synthesized(fd, &a)) <= 0)
        return rc;
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
