/*
 * One request, one reply, on a connection of helper_conn.c. Every wait is
 * bounded by one overall deadline; writes use MSG_NOSIGNAL so a helper that
 * went away cannot kill the program with SIGPIPE.
 */
#include "client/helper_client.h"

#include "client/helper_conn.h"
#include "client/refusal.h"
#include "client/usesock.h"
#include "runtime/config.h"
#include "runtime/log.h"
#include "runtime/real.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* The exchange failed because the helper closed the connection before any
 * of the reply arrived: on a kept connection, it went idle too long or the
 * helper restarted, and the call is made again on a new one. */
#define GONE (-2)

static uint32_t last_id;

static int fail(char *why, const char *what)
{
    snprintf(why, BIA_WHY_SIZE, "%s", what);
    return -1;
}

static int gone(char *why, const char *what)
{
    fail(why, what);
    return GONE;
}

static int fail_errno(char *why, const char *what)
{
    snprintf(why, BIA_WHY_SIZE, "%s %s: %s", what, bia_config()->socket_path, strerror(errno));
    return -1;
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_for(int fd, short events, long long deadline, char *why)
{
    struct pollfd p = {.fd = fd, .events = events};

    for (;;) {
        long long left = deadline - bia_conn_now_ms();
        int n;
        if (left <= 0)
            return fail(why, "timed out waiting for the helper");
        n = poll(&p, 1, (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return fail_errno(why, "poll");
    }
}

static int send_frame(int fd, const uint8_t *buf, size_t len, long long deadline, char *why)
{
    size_t sent = 0;

    while (sent < len) {
        ssize_t n = send(fd, buf + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += (size_t)n;
        } else if (errno == EAGAIN) {
            if (wait_for(fd, POLLOUT, deadline, why))
                return -1;
        } else if ((errno == EPIPE || errno == ECONNRESET) && !sent) {
            return gone(why, "the helper closed the connection");
        } else if (errno != EINTR) {
            return fail_errno(why, "send to");
        }
    }
    return 0;
}

/* Reads exactly one frame; its length field is checked as soon as it arrives. */
static int recv_frame(int fd, uint8_t *buf, size_t *len, long long deadline, char *why)
{
    size_t have = 0, need = 4;

    while (have < need) {
        ssize_t n = recv(fd, buf + have, need - have, MSG_DONTWAIT);
        if (n > 0) {
            have += (size_t)n;
            if (need == 4 && have == 4 && !(need = bia_frame_size(buf)))
                return fail(why, "malformed reply: frame length out of range");
        } else if ((n == 0 || errno == ECONNRESET) && !have) {
            return gone(why, "the helper closed the connection without a reply");
        } else if (n == 0) {
            return fail(why, "the helper closed the connection in the middle of a reply");
        } else if (errno == EAGAIN) {
            if (wait_for(fd, POLLIN, deadline, why))
                return -1;
        } else if (errno != EINTR) {
            return fail_errno(why, "recv from");
        }
    }
    *len = have;
    return 0;
}

/* One request and its reply on fd: 0, -1, or GONE. */
static int exchange(int fd, const uint8_t *req, size_t req_len, long long deadline,
                    struct bia_reply *reply, char *why)
{
    uint8_t buf[BIA_MAX_FRAME];
    size_t len;
    const char *reason;
    int rc;

    if ((rc = send_frame(fd, req, req_len, deadline, why)) ||
        (rc = recv_frame(fd, buf, &len, deadline, why)))
        return rc;
    if (bia_decode_reply(buf, len, reply, &reason)) {
        snprintf(why, BIA_WHY_SIZE, "malformed reply: %s", reason);
        return -1;
    }
    if (reply->type != req[5] || memcmp(&req[8], &buf[8], 4))
        return fail(why, "malformed reply: type or id does not match the request");
    return 0;
}

/* The exchange on a kept connection if there is one, once more on a new
 * connection if the helper had closed the kept one. A connection that
 * failed in any other way may still have a reply on its way: it is closed,
 * never reused. */
static int exchange_kept(const uint8_t *req, size_t req_len, long long deadline,
                         struct bia_reply *reply, char *why)
{
    struct bia_conn conn;
    int rc;

    if (bia_conn_take(&conn, deadline, why))
        return -1;
    rc = exchange(conn.fd, req, req_len, deadline, reply, why);
    if (rc == GONE && conn.reused) {
        bia_debug("helper connection %d was closed by the helper; connecting again", conn.fd);
        bia_conn_drop(&conn);
        if (bia_conn_open(&conn, deadline, why))
            return -1;
        rc = exchange(conn.fd, req, req_len, deadline, reply, why);
    }
    if (rc)
        bia_conn_drop(&conn);
    else
        bia_conn_put(&conn);
    return rc ? -1 : 0;
}

static int call(const uint8_t *req, size_t req_len, int timeout_ms, struct bia_reply *reply,
                char *why)
{
    int saved = errno, rc;
    long long start = bia_conn_now_ms();

    rc = exchange_kept(req, req_len, start + timeout_ms, reply, why);
    if (!rc && reply->status == BIA_S_DENIED)
        bia_refusal_note(0);
    else if (!rc)
        bia_refusal_clear();
    if (rc)
        bia_debug("helper %s: failed after %lld ms: %s", bia_type_name(req[5]),
                  bia_conn_now_ms() - start, why);
    else
        bia_debug("helper %s id=%u: %s in %lld ms", bia_type_name(req[5]), (unsigned)reply->id,
                  bia_status_name(reply->status), bia_conn_now_ms() - start);
    errno = saved;
    return rc;
}

static uint32_t next_id(void)
{
    return __atomic_add_fetch(&last_id, 1, __ATOMIC_RELAXED);
}

int bia_helper_hello(struct bia_reply *reply, char why[BIA_WHY_SIZE])
{
    uint8_t req[BIA_HEADER_SIZE];
    size_t len = bia_encode_hello(req, sizeof req, next_id());

    return call(req, len, bia_config()->timeout_ms, reply, why);
}

int bia_helper_resolve(uint8_t family, const char *name, size_t name_len, struct bia_reply *reply,
                       char why[BIA_WHY_SIZE])
{
    uint8_t req[BIA_HEADER_SIZE + 2 + BIA_MAX_NAME];
    size_t len = bia_encode_resolve(req, sizeof req, next_id(), family, name, name_len);

    if (!len)
        return fail(why, "the name cannot be sent to the helper");
    return call(req, len, bia_config()->resolve_timeout_ms, reply, why);
}

int bia_helper_map4(struct in_addr v4, struct bia_reply *reply, char why[BIA_WHY_SIZE])
{
    uint8_t req[BIA_HEADER_SIZE + 4];
    size_t len = bia_encode_map4(req, sizeof req, next_id(), v4);

    return call(req, len, bia_config()->timeout_ms, reply, why);
}

int bia_helper_name4(struct in_addr v4, struct bia_reply *reply, char why[BIA_WHY_SIZE])
{
    uint8_t req[BIA_HEADER_SIZE + 4];
    size_t len = bia_encode_name4(req, sizeof req, next_id(), v4);

    return call(req, len, bia_config()->timeout_ms, reply, why);
}

int bia_helper_synth(struct in_addr v4, struct bia_reply *reply, char why[BIA_WHY_SIZE])
{
    uint8_t req[BIA_HEADER_SIZE + 4];
    size_t len = bia_encode_synth(req, sizeof req, next_id(), v4);

    return call(req, len, bia_config()->timeout_ms, reply, why);
}

int bia_helper_map6(const struct in6_addr *v6, struct bia_reply *reply, char why[BIA_WHY_SIZE])
{
    uint8_t req[BIA_HEADER_SIZE + 16];
    size_t len = bia_encode_map6(req, sizeof req, next_id(), v6);

    return call(req, len, bia_config()->timeout_ms, reply, why);
}

/* Hands the whole frame to the kernel without waiting: 1, or 0 when the
 * connection is gone (a kept one the helper closed), or -1 otherwise. */
static int send_whole(int fd, const uint8_t *frame, size_t len)
{
    ssize_t n = send(fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == (ssize_t)len)
        return 1;
    return n < 0 && (errno == EPIPE || errno == ECONNRESET) ? 0 : -1;
}

/* As a datagram (usesock.h), the helper's cheapest way to hear it; else
 * on a kept connection, like a request (no reply comes, so the stream stays
 * in step): a report costs no connection set-up on the connect path. */
int bia_helper_notify(const uint8_t *frame, size_t len, bool keep)
{
    char why[BIA_WHY_SIZE];
    struct bia_conn conn;
    int saved = errno, sent = -1;
    /* A new connection waits at most this long for a full helper backlog. */
    long long deadline = bia_conn_now_ms() + 1;

    if (bia_usesock_send(frame, len) == 0) {
        errno = saved;
        return 0;
    }
    if ((keep ? bia_conn_take : bia_conn_open)(&conn, deadline, why) == 0) {
        sent = send_whole(conn.fd, frame, len);
        if (sent == 0 && conn.reused) {
            bia_conn_drop(&conn);
            if (bia_conn_open(&conn, deadline, why)) {
                errno = saved;
                return -1;
            }
            sent = send_whole(conn.fd, frame, len);
        }
        /* A partial frame would desynchronise the stream: never keep it. */
        if (sent == 1 && keep)
            bia_conn_put(&conn);
        else
            bia_conn_drop(&conn);
    }
    errno = saved;
    return sent == 1 ? 0 : -1;
}
