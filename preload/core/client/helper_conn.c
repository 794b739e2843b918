/*
 * Kept connections live in a few slots, each claimed with a
 * compare-and-swap: FREE -> BUSY -> IDLE when one is put back, IDLE -> BUSY
 * -> FREE when one is taken. Whoever loses a race moves on to the next slot
 * or opens a connection of its own; nobody waits.
 */
#include "client/helper_conn.h"

#include "bia_socktrust.h"
#include "client/helper_client.h"
#include "client/refusal.h"
#include "fd/fdroom.h"
#include "runtime/config.h"
#include "runtime/log.h"
#include "runtime/newproc.h"
#include "runtime/real.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { FREE, BUSY, IDLE };

struct slot {
    int state;
    struct bia_conn conn;
};

static struct slot slots[BIA_CONN_KEPT];

long long bia_conn_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool own_slots(void)
{
    return bia_newproc_own();
}

/* Whether c->fd still is the socket c opened (not closed and reused). */
static bool still_ours(const struct bia_conn *c)
{
    struct stat st;

    return fstat(c->fd, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino;
}

/* A new process inherits the parent's kept connections: sending on one
 * would interleave with the parent's frames. It closes them (only those
 * still its own: a slot a parent's thread was filling may be torn) and
 * opens its own when it needs one. */
void bia_conn_forked(void)
{
    for (int i = 0; i < BIA_CONN_KEPT; i++) {
        if (slots[i].state != FREE && still_ours(&slots[i].conn))
            bia_real()->close(slots[i].conn.fd);
        slots[i].state = FREE;
    }
}

static int fail_errno(char *why, const char *what)
{
    snprintf(why, BIA_WHY_SIZE, "%s %s: %s", what, bia_config()->socket_path, strerror(errno));
    return -1;
}

/* A blocking connect on a Unix socket waits (only) while the helper's
 * backlog is full; SO_SNDTIMEO bounds that wait. */
static int connect_helper(int fd, long long deadline, char *why)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    long long left = deadline - bia_conn_now_ms();
    struct timeval tv;

    if (left < 1)
        left = 1;   /* a zero timeout would mean "wait forever" */
    tv.tv_sec = left / 1000;
    tv.tv_usec = (left % 1000) * 1000;
    strcpy(sun.sun_path, bia_config()->socket_path);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    while (bia_real()->connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        if (errno == EINTR && bia_conn_now_ms() < deadline)
            continue;
        if (errno == EAGAIN) {
            snprintf(why, BIA_WHY_SIZE, "timed out connecting to the helper");
            return -1;
        }
        if (errno == EACCES || errno == EPERM)
            bia_refusal_note(errno);   /* another user's helper: say why once */
        return fail_errno(why, "connect");
    }
    return 0;
}

/* Nothing is said on a socket someone else may listen on (bia_socktrust.h). */
static int trusted_path(struct bia_socktrust *t, char *why)
{
    switch (bia_socktrust_path(bia_config()->socket_path, t, why, BIA_WHY_SIZE)) {
    case BIA_TRUST_OK:
        return 0;
    case BIA_TRUST_ABSENT:
        errno = ENOENT;
        return fail_errno(why, "connect");
    default:
        if (errno == EACCES)
            bia_refusal_note(EACCES); /* another user's helper: say why once */
        return -1;
    }
}

int bia_conn_open(struct bia_conn *c, long long deadline, char *why)
{
    struct bia_socktrust trust;
    struct stat st;

    c->reused = false;
    if (trusted_path(&trust, why))
        return -1;
    c->fd = bia_fdroom_socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return fail_errno(why, "socket for");
    if (connect_helper(c->fd, deadline, why) ||
        bia_socktrust_peer(c->fd, bia_config()->socket_path, &trust, why, BIA_WHY_SIZE) ||
        (fstat(c->fd, &st) < 0 && fail_errno(why, "fstat of the connection to"))) {
        bia_real()->close(c->fd);
        return -1;
    }
    c->dev = st.st_dev;
    c->ino = st.st_ino;
    return 0;
}

/* An idle kept connection of this process, if there is one. */
static bool take_kept(struct bia_conn *c)
{
    if (!own_slots())
        return false;
    for (int i = 0; i < BIA_CONN_KEPT; i++) {
        int idle = IDLE;
        if (!__atomic_compare_exchange_n(&slots[i].state, &idle, BUSY, false, __ATOMIC_ACQUIRE,
                                         __ATOMIC_RELAXED))
            continue;
        *c = slots[i].conn;
        __atomic_store_n(&slots[i].state, FREE, __ATOMIC_RELEASE);
        if (still_ours(c)) {
            c->reused = true;
            return true;
        }
        bia_debug("forgetting helper connection %d: the program closed or reused the descriptor",
                  c->fd);
    }
    return false;
}

bool bia_conn_close_kept(void)
{
    struct bia_conn c;

    if (!take_kept(&c))
        return false;
    bia_real()->close(c.fd);
    return true;
}

int bia_conn_take(struct bia_conn *c, long long deadline, char *why)
{
    if (take_kept(c))
        return 0;
    return bia_conn_open(c, deadline, why);
}

void bia_conn_put(struct bia_conn *c)
{
    if (own_slots()) {
        for (int i = 0; i < BIA_CONN_KEPT; i++) {
            int free_ = FREE;
            if (!__atomic_compare_exchange_n(&slots[i].state, &free_, BUSY, false,
                                             __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                continue;
            slots[i].conn = *c;
            __atomic_store_n(&slots[i].state, IDLE, __ATOMIC_RELEASE);
            return;
        }
    }
    bia_conn_drop(c);
}

void bia_conn_drop(struct bia_conn *c)
{
    /* A descriptor the program took over in the meantime is not closed. */
    if (still_ours(c))
        bia_real()->close(c->fd);
}
