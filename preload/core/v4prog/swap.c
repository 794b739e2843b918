/*
 * The new socket is prepared completely (options, flags) before dup3()
 * puts it on the program's descriptor in one atomic step, so no other
 * thread ever sees a half-made socket. What cannot be copied (multicast
 * memberships, filters, epoll registrations of the old socket) is lost;
 * that is why only sockets that have not been used yet are swapped.
 */
#define _GNU_SOURCE
#include "v4prog/swap.h"

#include "fd/fdroom.h"
#include "fd/sockhist.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "v4prog/dualstack.h"
#include "v4prog/icmpecho.h"
#include "v4prog/sockopt.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Which options carry over, and where they go on an AF_INET6 socket. */
struct option {
    int level, name;            /* on the AF_INET socket */
    int level6, name6;          /* on the AF_INET6 socket */
    unsigned char stream_only;  /* a TCP option */
    unsigned char halve;        /* SO_*BUF: the kernel reports twice what was set */
};

static const struct option options[] = {
    {SOL_SOCKET, SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, 0, 0},
    {SOL_SOCKET, SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT, 0, 0},
    {SOL_SOCKET, SO_KEEPALIVE, SOL_SOCKET, SO_KEEPALIVE, 0, 0},
    {SOL_SOCKET, SO_RCVBUF, SOL_SOCKET, SO_RCVBUF, 0, 1},
    {SOL_SOCKET, SO_SNDBUF, SOL_SOCKET, SO_SNDBUF, 0, 1},
    {SOL_SOCKET, SO_LINGER, SOL_SOCKET, SO_LINGER, 0, 0},
    {SOL_SOCKET, SO_RCVTIMEO, SOL_SOCKET, SO_RCVTIMEO, 0, 0},
    {SOL_SOCKET, SO_SNDTIMEO, SOL_SOCKET, SO_SNDTIMEO, 0, 0},
    {SOL_SOCKET, SO_BROADCAST, SOL_SOCKET, SO_BROADCAST, 0, 0},
    {SOL_SOCKET, SO_OOBINLINE, SOL_SOCKET, SO_OOBINLINE, 0, 0},
    {SOL_SOCKET, SO_BINDTODEVICE, SOL_SOCKET, SO_BINDTODEVICE, 0, 0},
    /* IPv4 options stay as they are (they apply to v4-mapped peers) and
     * also go to their IPv6 twin (bia_sockopt_v6_twin). */
    {IPPROTO_IP, IP_TOS, IPPROTO_IP, IP_TOS, 0, 0},
    {IPPROTO_IP, IP_TTL, IPPROTO_IP, IP_TTL, 0, 0},
    {IPPROTO_IP, IP_PKTINFO, IPPROTO_IP, IP_PKTINFO, 0, 0},
    {IPPROTO_IP, IP_RECVTOS, IPPROTO_IP, IP_RECVTOS, 0, 0},
    {IPPROTO_IP, IP_RECVTTL, IPPROTO_IP, IP_RECVTTL, 0, 0},
    {IPPROTO_IP, IP_RECVERR, IPPROTO_IP, IP_RECVERR, 0, 0},
    {IPPROTO_IP, IP_MTU_DISCOVER, IPPROTO_IP, IP_MTU_DISCOVER, 0, 0},
    /* After IP_TOS, which also sets the priority on an IPv4 socket. */
    {SOL_SOCKET, SO_PRIORITY, SOL_SOCKET, SO_PRIORITY, 0, 0},
    {IPPROTO_TCP, TCP_NODELAY, IPPROTO_TCP, TCP_NODELAY, 1, 0},
    {IPPROTO_TCP, TCP_KEEPIDLE, IPPROTO_TCP, TCP_KEEPIDLE, 1, 0},
    {IPPROTO_TCP, TCP_KEEPINTVL, IPPROTO_TCP, TCP_KEEPINTVL, 1, 0},
    {IPPROTO_TCP, TCP_KEEPCNT, IPPROTO_TCP, TCP_KEEPCNT, 1, 0},
    {IPPROTO_TCP, TCP_USER_TIMEOUT, IPPROTO_TCP, TCP_USER_TIMEOUT, 1, 0},
};

#define N_OPTIONS (sizeof options / sizeof options[0])
_Static_assert(N_OPTIONS <= 32, "one bit per option in struct bia_sockhist");

unsigned bia_swap_option_bits(int level, int name)
{
    unsigned bits = 0;

    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (options[i].level == level && options[i].name == name)
            bits |= 1u << i;
        /* IP_TOS also sets the priority (see the SO_PRIORITY entry). */
        if (level == IPPROTO_IP && name == IP_TOS && options[i].name == SO_PRIORITY &&
            options[i].level == SOL_SOCKET)
            bits |= 1u << i;
    }
    return bits;
}

static int get_int(int fd, int level, int name, int *value)
{
    socklen_t len = sizeof *value;

    return getsockopt(fd, level, name, value, &len);
}

/* The socket's domain, type and protocol, as its history says or as the
 * kernel does. */
static bool identify(int fd, struct bia_swap_plan *old)
{
    struct bia_sockhist hist;
    int domain;

    old->known = bia_sockhist_get(fd, &hist);
    if (old->known) {
        old->type = hist.type;
        old->protocol = hist.protocol;
        old->options = hist.options;
        return true;
    }
    return !get_int(fd, SOL_SOCKET, SO_DOMAIN, &domain) && domain == AF_INET &&
           !get_int(fd, SOL_SOCKET, SO_TYPE, &old->type) &&
           !get_int(fd, SOL_SOCKET, SO_PROTOCOL, &old->protocol);
}

/* An ICMP echo socket (icmpecho.h): a ping socket or a raw ICMP one. */
static bool is_icmp(const struct bia_swap_plan *old)
{
    return (old->type == SOCK_DGRAM || old->type == SOCK_RAW) && old->protocol == IPPROTO_ICMP;
}

static enum bia_swap_check inspect(int fd, struct bia_swap_plan *old)
{
    struct sockaddr_in local;
    socklen_t len = sizeof local;

    if (!identify(fd, old))
        return BIA_SWAP_NOT_INET;
    if (!(old->type == SOCK_STREAM && old->protocol == IPPROTO_TCP) &&
        !(old->type == SOCK_DGRAM && old->protocol == IPPROTO_UDP) && !is_icmp(old))
        return BIA_SWAP_NOT_INET;
    if (old->type == SOCK_STREAM) {
        struct tcp_info info;
        socklen_t info_len = sizeof info;
        /* Connecting, connected or listening: a new socket would lose that. */
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_len) || info.tcpi_state != TCP_CLOSE)
            return BIA_SWAP_KEEP;
    }
    if (bia_real()->getsockname(fd, (struct sockaddr *)&local, &len) || local.sin_family != AF_INET)
        return BIA_SWAP_NOT_INET;
    /* Bound to one IPv4 address: an IPv6 socket cannot stand for that. */
    if (local.sin_addr.s_addr != htonl(INADDR_ANY))
        return BIA_SWAP_KEEP;
    /* A raw socket shows its protocol as its port; a ping socket's port is
     * its echo identifier, which its twin picks for itself. */
    old->port = is_icmp(old) ? 0 : local.sin_port;
    return BIA_SWAP_OK;
}

/*
 * Two ways to find the options to copy. A socket whose history is known
 * (sockhist.h: made here, never shared) copies just the options the
 * program set on it. Any other socket (inherited, duplicated, made before
 * the library was active) is compared option by option with the
 * defaults: the replacement is fresh, so what it holds before the copy is
 * the kernel's default for an AF_INET6 socket of that type. Those defaults
 * are read once per process and type (the first such swap reads them off
 * its own replacement); ~25 getsockopt per swap, and a setsockopt only for
 * what the program changed, whatever descriptor it changed it through.
 * Exception: an option an earlier copy can change on the new socket
 * (SO_PRIORITY, which IP_TOS also sets) is compared with the new socket.
 * A default that changes during the process (a sysctl) only costs an
 * unneeded setsockopt of the old socket's value.
 */
#define N_SLOTS (2 * N_OPTIONS)   /* each option, then its IPv6 twin */
#define VALUE_MAX (IFNAMSIZ + 16)

struct value {
    socklen_t len;              /* 0: the option could not be read */
    unsigned char bytes[VALUE_MAX];
};

/* Per type (0: SOCK_STREAM, 1: SOCK_DGRAM): state 0 empty, 1 being
 * filled, 2 ready (then defaults[] never changes again). A thread or
 * signal handler that finds it being filled reads its own copy. */
static struct {
    int state;
    struct value values[N_SLOTS];
} defaults[2];

static void read_value(int fd, int level, int name, struct value *v)
{
    v->len = sizeof v->bytes;
    memset(v->bytes, 0, sizeof v->bytes);
    if (getsockopt(fd, level, name, v->bytes, &v->len))
        v->len = 0;
}

/* The IPv6 twin of an IPPROTO_IP option (set from the same value). */
static bool twin_of(const struct option *base, struct option *twin)
{
    int name6;

    if (base->level != IPPROTO_IP || !bia_sockopt_v6_twin(base->name, &name6))
        return false;
    *twin = (struct option){IPPROTO_IP, base->name, IPPROTO_IPV6, name6, 0, 0};
    return true;
}

void bia_swap_forked(void)
{
    for (int i = 0; i < 2; i++) {
        int filling = 1;
        __atomic_compare_exchange_n(&defaults[i].state, &filling, 0, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED);
    }
}

static void read_defaults(int fresh, struct value *values)
{
    struct option twin;

    for (size_t i = 0; i < N_OPTIONS; i++) {
        read_value(fresh, options[i].level6, options[i].name6, &values[2 * i]);
        if (twin_of(&options[i], &twin))
            read_value(fresh, twin.level6, twin.name6, &values[2 * i + 1]);
    }
}

/* The defaults for the replacement `fresh` (not yet changed) of a socket of `type`. */
static const struct value *defaults_for(int fresh, int type, bool icmp, struct value *scratch)
{
    int i = type == SOCK_STREAM ? 0 : 1, empty = 0;

    if (type == SOCK_RAW || icmp) {  /* rare: read each time */
        read_defaults(fresh, scratch);
        return scratch;
    }
    if (__atomic_load_n(&defaults[i].state, __ATOMIC_ACQUIRE) == 2)
        return defaults[i].values;
    if (!__atomic_compare_exchange_n(&defaults[i].state, &empty, 1, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        read_defaults(fresh, scratch);
        return scratch;
    }
    read_defaults(fresh, defaults[i].values);
    __atomic_store_n(&defaults[i].state, 2, __ATOMIC_RELEASE);
    return defaults[i].values;
}

/* Sets o on `to` to want, unless want equals dflt (NULL: always); a
 * failure only skips the option. */
static void put_option(int to, const struct option *o, struct value want, const struct value *dflt)
{
    if (dflt && (!dflt->len || (want.len == dflt->len && !memcmp(want.bytes, dflt->bytes, want.len))))
        return;
    if (o->halve) {
        int value;
        memcpy(&value, want.bytes, sizeof value);
        value /= 2;
        memcpy(want.bytes, &value, sizeof value);
    }
    if (setsockopt(to, o->level6, o->name6, want.bytes, want.len))
        bia_debug("swap: option %d/%d not carried over: %s", o->level6, o->name6, strerror(errno));
}

/* Copies option i and its IPv6 twin; dflt: the defaults (NULL: the
 * program set it, copy whatever it holds). One getsockopt of the old
 * socket serves both. */
static void copy_option(int from, int to, size_t i, const struct value *dflt)
{
    const struct option *o = &options[i];
    struct value want, have;
    struct option twin;

    read_value(from, o->level, o->name, &want);
    if (!want.len)
        return;
    if (o->level6 == SOL_SOCKET && o->name6 == SO_PRIORITY) {
        read_value(to, o->level6, o->name6, &have);
        put_option(to, o, want, &have);
    } else {
        put_option(to, o, want, dflt ? &dflt[2 * i] : NULL);
    }
    if (twin_of(o, &twin))
        put_option(to, &twin, want, dflt ? &dflt[2 * i + 1] : NULL);
}

static void copy_options(int from, int to, const struct bia_swap_plan *old)
{
    struct value scratch[N_SLOTS];
    const struct value *dflt = old->known ? NULL : defaults_for(to, old->type, is_icmp(old), scratch);

    for (size_t i = 0; i < N_OPTIONS; i++)
        if (!(options[i].stream_only && old->type != SOCK_STREAM) &&
            (!old->known || (old->options & (1u << i))))
            copy_option(from, to, i, dflt);
}

/* File status flags (O_NONBLOCK, O_ASYNC and its signal owner). */
static void copy_file_flags(int from, int to)
{
    int flags = fcntl(from, F_GETFL);

    if (flags < 0)
        return;
    if (flags & O_ASYNC) {
        struct f_owner_ex owner;
        int sig = fcntl(from, F_GETSIG);
        if (fcntl(from, F_GETOWN_EX, &owner) == 0)
            fcntl(to, F_SETOWN_EX, &owner);
        if (sig > 0)
            fcntl(to, F_SETSIG, sig);
    }
    if (flags & ~O_ACCMODE)
        fcntl(to, F_SETFL, flags);
}

/* Makes the AF_INET6 socket that will replace the one on fd. */
static int make_replacement(int fd, const struct bia_swap_plan *old)
{
    int s = is_icmp(old) ? bia_icmp_twin(fd, old->type)
                         : bia_fdroom_socket(AF_INET6, old->type | SOCK_CLOEXEC, old->protocol);

    if (s < 0)
        return -1;
    /* ICMPv6 never reaches an IPv4 peer: no dual-stack to ask for. */
    if (!is_icmp(old) && bia_dualstack_make(s)) {
        int err = errno;
        bia_real()->close(s);
        errno = err;
        return -1;
    }
    copy_options(fd, s, old);
    copy_file_flags(fd, s);
    if (is_icmp(old))
        bia_icmp_prepare(s, old->type);
    return s;
}

/* Puts s on fd (closing what fd held) with fd's close-on-exec flag. */
static int take_over(int s, int fd, int fd_flags)
{
    int rc = dup3(s, fd, fd_flags > 0 && (fd_flags & FD_CLOEXEC) ? O_CLOEXEC : 0);
    int err = errno;

    bia_real()->close(s);
    errno = err;
    return rc < 0 ? -1 : 0;
}

/* Copies option o from `from` to `to` at its own level where the two
 * differ (an AF_INET6 socket keeps the IPv4 options at IPPROTO_IP). */
static void copy_back_option(int from, int to, const struct option *o)
{
    struct option same = {o->level, o->name, o->level, o->name, o->stream_only, o->halve};
    struct value want, have;

    want.len = sizeof want.bytes;
    memset(want.bytes, 0, sizeof want.bytes);
    if (getsockopt(from, o->level, o->name, want.bytes, &want.len))
        return;
    read_value(to, o->level, o->name, &have);
    if (want.len == have.len && !memcmp(want.bytes, have.bytes, want.len))
        return;
    put_option(to, &same, want, NULL);
}

int bia_swap_back(int fd)
{
    int saved = errno, type, protocol, fd_flags, s;

    if (get_int(fd, SOL_SOCKET, SO_TYPE, &type) || get_int(fd, SOL_SOCKET, SO_PROTOCOL, &protocol))
        return -1;
    fd_flags = fcntl(fd, F_GETFD);
    s = bia_fdroom_socket(AF_INET, type | SOCK_CLOEXEC, protocol);
    if (s < 0)
        return -1;
    /* Every option, not just the program's: this path is rare, and the
     * program may have set one through a duplicate. */
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (!(options[i].stream_only && type != SOCK_STREAM))
            copy_back_option(fd, s, &options[i]);
    copy_file_flags(fd, s);
    if (take_over(s, fd, fd_flags))
        return -1;
    bia_debug("fd %d: an AF_INET socket again", fd);
    errno = saved;
    return 0;
}

static int bind_any(int fd, in_port_t port)
{
    struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = port};

    return bind(fd, (struct sockaddr *)&any, sizeof any);
}

enum bia_swap_check bia_swap_check(int fd, struct bia_swap_plan *plan)
{
    int saved = errno;
    enum bia_swap_check r;

    plan->bind_to = NULL;
    r = inspect(fd, plan);

    errno = saved;
    return r;
}

int bia_swap(int fd, const struct bia_swap_plan *plan)
{
    int saved = errno, fd_flags, s;

    fd_flags = fcntl(fd, F_GETFD);
    s = make_replacement(fd, plan);
    if (s < 0)
        return -1;
    /* Before dup3: if the address is taken, the program keeps its socket. */
    if (plan->bind_to && bind(s, (const struct sockaddr *)plan->bind_to, sizeof *plan->bind_to)) {
        int err = errno;
        bia_real()->close(s);
        errno = err;
        return -1;
    }
    if (take_over(s, fd, fd_flags))
        return -1;
    if (is_icmp(plan))
        bia_icmp_mark(fd, plan->type);
    /* The old socket is gone now, so its port is free for the new one. */
    if (plan->port && bind_any(fd, plan->port))
        return -1;
    bia_debug("fd %d: now an AF_INET6 socket%s, with %s", fd,
              plan->port ? ", bound to its old port" : "",
              plan->known ? "the options the program set" : "every option that differs from the defaults");
    errno = saved;
    return 0;
}
