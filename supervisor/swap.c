#include "swap.h"

#include "literal.h"
#include "log.h"
#include "mapping.h"
#include "owned.h"
#include "sockint.h"
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Options that carry over when the program changed them from a fresh
 * socket's value (as preload/core/v4prog/swap.c carries them). */
static const struct {
    int level, name;
    unsigned char stream_only;
} options[] = {
    {SOL_SOCKET, SO_REUSEADDR, 0},  {SOL_SOCKET, SO_REUSEPORT, 0},  {SOL_SOCKET, SO_KEEPALIVE, 0},
    {SOL_SOCKET, SO_RCVBUF, 0},     {SOL_SOCKET, SO_SNDBUF, 0},     {SOL_SOCKET, SO_LINGER, 0},
    {SOL_SOCKET, SO_RCVTIMEO, 0},   {SOL_SOCKET, SO_SNDTIMEO, 0},   {SOL_SOCKET, SO_BROADCAST, 0},
    {SOL_SOCKET, SO_OOBINLINE, 0},  {SOL_SOCKET, SO_PRIORITY, 0},   {SOL_SOCKET, SO_MARK, 0},
    {IPPROTO_TCP, TCP_NODELAY, 1},  {IPPROTO_TCP, TCP_KEEPIDLE, 1}, {IPPROTO_TCP, TCP_KEEPINTVL, 1},
    {IPPROTO_TCP, TCP_KEEPCNT, 1},  {IPPROTO_TCP, TCP_USER_TIMEOUT, 1},
};

struct job {
    int listener;
    struct seccomp_notif req;
    int old, sock;                /* the target's socket (a copy), the new one or the old when ours */
    struct sockaddr_in6 to;
    struct in_addr v4;
    bool replace;
};

#define N_OPTIONS (sizeof options / sizeof options[0])

/* A fresh AF_INET socket's value of each option, per type (stream,
 * datagram): read once, they do not change while the supervisor runs. */
struct defaults {
    bool known;
    socklen_t len[N_OPTIONS];
    char value[N_OPTIONS][32];
};
static struct defaults defaults[2];
static pthread_mutex_t defaults_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct defaults *defaults_of(int type)
{
    struct defaults *d = &defaults[type == SOCK_STREAM ? 0 : 1];
    int fresh;

    pthread_mutex_lock(&defaults_lock);
    if (!d->known && (fresh = socket(AF_INET, type, 0)) >= 0) {
        for (size_t i = 0; i < N_OPTIONS; i++) {
            d->len[i] = sizeof d->value[i];
            if (getsockopt(fresh, options[i].level, options[i].name, d->value[i], &d->len[i]))
                d->len[i] = 0;
        }
        close(fresh);
        d->known = true;
    }
    pthread_mutex_unlock(&defaults_lock);
    return d->known ? d : NULL;
}

/* SO_*BUF reads back twice what was set: halved before it is set again. */
static void copy_options(int from, int to, int type)
{
    const struct defaults *d = defaults_of(type);

    for (size_t i = 0; d && i < N_OPTIONS; i++) {
        char want[32];
        socklen_t wl = sizeof want;

        if (options[i].stream_only && type != SOCK_STREAM)
            continue;
        if (getsockopt(from, options[i].level, options[i].name, want, &wl) ||
            (wl == d->len[i] && !memcmp(want, d->value[i], wl)))
            continue;
        if (options[i].name == SO_RCVBUF || options[i].name == SO_SNDBUF)
            *(int *)want /= 2;
        (void)setsockopt(to, options[i].level, options[i].name, want, wl);
    }
}

int swap_make_socket(int old, int type, int protocol)
{
    int flags = fcntl(old, F_GETFL), sock = socket(AF_INET6, type | SOCK_CLOEXEC, protocol), off = 0;

    if (sock < 0)
        return -1;
    (void)setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    copy_options(old, sock, type);
    if (flags >= 0)
        (void)fcntl(sock, F_SETFL, flags);
    return sock;
}

int swap_install(int listener, const struct seccomp_notif *req, int fd, int sock)
{
    struct seccomp_notif_addfd add = {
        .id = req->id,
        .flags = SECCOMP_ADDFD_FLAG_SETFD,
        .srcfd = (__u32)sock,
        .newfd = (__u32)fd,
        .newfd_flags = target_fd_cloexec(req, fd) ? O_CLOEXEC : 0,
    };

    return ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0 ? errno : 0;
}

/* Connects, then puts the new socket in place: only a socket whose connect
 * started is installed, so a refused one stays the program's own. */
static void finish(struct job *j)
{
    int err = connect(j->sock, (struct sockaddr *)&j->to, sizeof j->to) ? errno : 0;

    if (j->replace && (err == 0 || err == EINPROGRESS)) {
        int fail = swap_install(j->listener, &j->req, (int)j->req.data.args[0], j->sock);

        if (fail)
            err = fail == ENOENT ? 0 : fail;   /* ENOENT: the call is gone, nothing to answer */
        else
            owned_add(j->sock, j->v4);
    } else if (!j->replace && err == 0) {
        owned_add(j->sock, j->v4);   /* a UDP socket connected to another pool address: the newest counts */
    }
    target_answer(j->listener, &j->req, err);
    if (j->replace)
        close(j->sock);
    close(j->old);
    free(j);
}

static void *finish_thread(void *arg)
{
    finish(arg);
    return NULL;
}

/* A blocking connect waits on its own thread, so that one slow peer does
 * not hold every other trapped call of the target's processes. */
static void run(struct job *j)
{
    int flags = fcntl(j->sock, F_GETFL), err;
    pthread_attr_t attr;
    pthread_t t;

    if (flags >= 0 && !(flags & O_NONBLOCK)) {
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        err = pthread_create(&t, &attr, finish_thread, j);
        pthread_attr_destroy(&attr);
        if (err == 0)
            return;
        errno = err;
        log_line("no thread for a blocking connect: %s; it holds the other calls while it waits", strerror(errno));
    }
    finish(j);
}

/* Fills j for a connect it takes over (translated: to a pool address or
 * a literal the helper may know); -1 when the kernel should run it. */
static int prepare(struct job *j, bool translated)
{
    int domain = sockopt_int(j->old, SO_DOMAIN), type = sockopt_int(j->old, SO_TYPE);
    struct in_addr mine;

    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return -1;
    if (domain == AF_INET6 && owned_find(j->old, &mine)) {
        j->sock = j->old;   /* connect again (EALREADY, EISCONN...) on the socket it already is */
        return 0;
    }
    if (domain != AF_INET || !translated)
        return -1;
    j->sock = swap_make_socket(j->old, type, sockopt_int(j->old, SO_PROTOCOL));
    j->replace = j->sock >= 0;
    return j->sock >= 0 ? 0 : -1;
}

static void drop(struct job *j)
{
    if (j->replace)
        close(j->sock);
    close(j->old);
    free(j);
}

void swap_connect(int listener, const struct seccomp_notif *req)
{
    struct sockaddr_in sin;
    bool translated;
    struct job *j;
    int err;

    /* An address of its own on a socket the supervisor made AF_INET6 (at
     * bind, at sendto) needs its v4-mapped form: sockets are looked at only
     * once there are such. */
    if ((int)req->data.args[2] < (int)sizeof sin || target_read(req, req->data.args[1], &sin, sizeof sin) ||
        sin.sin_family != AF_INET ||
        (!(translated = mapping_in_pool(sin.sin_addr) || literal_candidate(sin.sin_addr)) && !owned_any()) ||
        !target_alive(listener, req) || !(j = calloc(1, sizeof *j))) {
        target_continue(listener, req);
        return;
    }
    j->listener = listener;
    j->req = *req;
    j->v4 = sin.sin_addr;
    j->old = target_fd(req, (int)req->data.args[0]);
    if (j->old < 0 || prepare(j, translated)) {
        if (j->old >= 0)
            close(j->old);
        free(j);
        target_continue(listener, req);
        return;
    }
    j->to = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = sin.sin_port};
    err = translated ? mapping_lookup(sin.sin_addr, &j->to.sin6_addr) : ENOENT;
    if (err && (mapping_in_pool(sin.sin_addr) || j->replace)) {
        /* A pool address with no peer fails; a literal with no NAT64 entry
         * on the program's own socket is the kernel's connect. */
        if (mapping_in_pool(sin.sin_addr))
            target_answer(listener, req, err);
        else
            target_continue(listener, req);
        drop(j);
        return;
    }
    if (err) {
        j->to.sin6_addr.s6_addr[10] = j->to.sin6_addr.s6_addr[11] = 0xff;
        memcpy(&j->to.sin6_addr.s6_addr[12], &sin.sin_addr, 4);
    }
    run(j);
}
