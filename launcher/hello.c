#include "hello.h"

#include "bia_maptable.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HELLO_ID 1
/* The helper listens but cannot take the connection or answer yet. */
#define HELLO_BUSY (-2)

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(char *why, const char *what, const char *path)
{
    snprintf(why, HELLO_WHY_SIZE, "%s %.120s: %s", what, path, strerror(errno));
    return -1;
}

/* A helper's Unix socket accepts at once unless its backlog is full;
 * SO_SNDTIMEO bounds that wait (EAGAIN when it passes: a busy helper).
 * Then who listens must be one the caller may trust (bia_socktrust.h). */
static int connect_to(int fd, const char *path, const struct bia_socktrust *trust, int timeout_ms,
                      char *why)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};

    if (strlen(path) >= sizeof sun.sun_path) {
        errno = ENAMETOOLONG;
        return fail(why, "connect", path);
    }
    strcpy(sun.sun_path, path);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    while (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        if (errno != EINTR) {
            int busy = errno == EAGAIN;

            fail(why, "connect", path);
            return busy ? HELLO_BUSY : -1;
        }
    }
    return bia_socktrust_peer(fd, path, trust, why, HELLO_WHY_SIZE) == BIA_TRUST_OK ? 0 : -1;
}

/* Reads exactly len bytes before deadline. */
static int read_full(int fd, uint8_t *buf, size_t len, long long deadline, char *why)
{
    while (len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        long long left = deadline - now_ms();
        ssize_t n;

        if (left <= 0 || poll(&p, 1, (int)left) == 0) {
            snprintf(why, HELLO_WHY_SIZE, "no answer to HELLO in time");
            return -1;
        }
        n = read(fd, buf, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            snprintf(why, HELLO_WHY_SIZE, "the helper closed the connection without answering");
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int exchange(int fd, long long deadline, struct bia_reply *reply, char *why)
{
    uint8_t frame[BIA_MAX_FRAME];
    size_t len = bia_encode_hello(frame, sizeof frame, HELLO_ID), total;
    const char *bad;

    if (send(fd, frame, len, MSG_NOSIGNAL) != (ssize_t)len) {
        snprintf(why, HELLO_WHY_SIZE, "sending HELLO: %s", strerror(errno));
        return -1;
    }
    if (read_full(fd, frame, 4, deadline, why))
        return -1;
    total = bia_frame_size(frame);
    if (!total) {
        snprintf(why, HELLO_WHY_SIZE, "the helper's reply has a bad length");
        return -1;
    }
    if (read_full(fd, frame + 4, total - 4, deadline, why))
        return -1;
    if (bia_decode_reply(frame, total, reply, &bad)) {
        snprintf(why, HELLO_WHY_SIZE, "the helper's reply is malformed: %s", bad);
        return -1;
    }
    return 0;
}

/* One HELLO: 0, -1, or HELLO_BUSY when the helper listens but its backlog
 * stayed full for timeout_ms. A late answer is -1: the Node launcher,
 * which waits for a slow helper longer, takes over. */
static int ask_once(const char *socket_path, const struct bia_socktrust *trust, int timeout_ms,
                    struct bia_hello *out, char *why)
{
    long long deadline = now_ms() + timeout_ms;
    struct bia_reply reply;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

    if (fd < 0)
        return fail(why, "socket for", socket_path);
    rc = connect_to(fd, socket_path, trust, timeout_ms, why);
    if (!rc)
        rc = exchange(fd, deadline, &reply, why);
    close(fd);
    if (rc)
        return rc;
    if (reply.type != BIA_T_HELLO || reply.id != HELLO_ID || reply.status != BIA_S_OK) {
        snprintf(why, HELLO_WHY_SIZE, "the helper answered HELLO with %s, status %s",
                 bia_type_name(reply.type), bia_status_name(reply.status));
        return -1;
    }
    *out = reply.u.hello;
    return 0;
}

int hello_ask(const char *socket_path, const struct bia_socktrust *trust, int timeout_ms, int busy_ms,
              struct bia_hello *out, char why[HELLO_WHY_SIZE])
{
    long long give_up = now_ms() + busy_ms;
    int rc, wait_ms = 10;

    /* A busy helper is a helper: asked again, a little later each time,
     * and at another moment than the other launchers waiting for it. */
    srand((unsigned)getpid());
    while ((rc = ask_once(socket_path, trust, timeout_ms, out, why)) == HELLO_BUSY &&
           now_ms() + wait_ms < give_up) {
        usleep((useconds_t)(wait_ms + rand() % wait_ms) * 1000);
        wait_ms = wait_ms < 500 ? wait_ms * 2 : 500;
    }
    return rc ? -1 : 0;
}

/* The HELLO reply the helper keeps in its published table (bia_maptable.h),
 * if there is a live table of ours: 0 with *reply decoded, else -1. */
static int read_published(const char *socket_path, struct bia_reply *reply, char *why)
{
    uint8_t frame[BIA_MAPTABLE_HELLO_MAX];
    const char *bad = "no HELLO in it";
    size_t size;
    const struct bia_maptable_header *h = bia_maptable_map(socket_path, &size);
    uint32_t len;

    if (!h) {
        snprintf(why, HELLO_WHY_SIZE, "no live table of this user's at %.120s%s", socket_path,
                 BIA_MAPTABLE_SUFFIX);
        return -1;
    }
    len = bia_maptable_read_hello(h, frame);
    munmap((void *)h, size);
    if (len == 0 || bia_decode_reply(frame, len, reply, &bad)) {
        snprintf(why, HELLO_WHY_SIZE, "%.120s%s: %s", socket_path, BIA_MAPTABLE_SUFFIX, bad);
        return -1;
    }
    return 0;
}

/* Whether a helper listens: a Unix connect is accepted into the backlog
 * without waiting for the helper to run (non-blocking). A full backlog
 * (EAGAIN) is a listener too: a busy helper, nothing to wait for here;
 * nothing is said to it, and the program's preload checks who it is. */
static int listening(const char *socket_path, const struct bia_socktrust *trust, char *why)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), rc;

    if (fd < 0)
        return fail(why, "socket for", socket_path);
    rc = connect_to(fd, socket_path, trust, 0, why);
    close(fd);
    return rc == HELLO_BUSY ? 0 : rc;
}

int hello_published(const char *socket_path, const struct bia_socktrust *trust, struct bia_hello *out,
                    char why[HELLO_WHY_SIZE])
{
    struct bia_reply reply;

    if (read_published(socket_path, &reply, why) || listening(socket_path, trust, why))
        return -1;
    if (reply.type != BIA_T_HELLO || reply.status != BIA_S_OK) {
        snprintf(why, HELLO_WHY_SIZE, "the published table holds %s, status %s, not a HELLO answer",
                 bia_type_name(reply.type), bia_status_name(reply.status));
        return -1;
    }
    *out = reply.u.hello;
    return 0;
}
