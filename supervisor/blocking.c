#include "blocking.h"

#include "log.h"
#include "target.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define SLICE_MS 200

/* The socket's timeout for this direction in ms; -1: none. */
static long long timeout_ms(const struct blocking_op *op)
{
    struct timeval tv = {0};
    socklen_t len = sizeof tv;
    int name = op->events == POLLIN ? SO_RCVTIMEO : SO_SNDTIMEO;

    if (getsockopt(op->sock, SOL_SOCKET, name, &tv, &len) || (tv.tv_sec == 0 && tv.tv_usec == 0))
        return -1;
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static long long now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void *wait_thread(void *arg)
{
    struct blocking_op *op = arg;
    long long limit = timeout_ms(op), until = limit < 0 ? -1 : now_ms() + limit;

    for (;;) {
        struct pollfd p = {.fd = op->sock, .events = op->events};
        long long left = until < 0 ? SLICE_MS : until - now_ms();
        int ready = poll(&p, 1, (int)(left < SLICE_MS ? (left < 0 ? 0 : left) : SLICE_MS));

        if (!target_alive(op->listener, &op->req))
            break;   /* interrupted: the kernel restarts the call or fails it with EINTR */
        if (ready > 0 && op->attempt(op))
            break;
        if (until >= 0 && now_ms() >= until) {
            target_answer(op->listener, &op->req, EAGAIN);
            break;
        }
    }
    op->release(op);
    return NULL;
}

void blocking_run(struct blocking_op *op)
{
    pthread_attr_t attr;
    pthread_t t;
    int err;

    if (!op->wait_first && op->attempt(op)) {
        op->release(op);
        return;
    }
    if (op->nowait) {
        target_answer(op->listener, &op->req, EAGAIN);
        op->release(op);
        return;
    }
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    err = pthread_create(&t, &attr, wait_thread, op);
    pthread_attr_destroy(&attr);
    if (err) {
        log_line("no thread for a blocking call: %s; it holds the other calls while it waits", strerror(err));
        wait_thread(op);
    }
}
