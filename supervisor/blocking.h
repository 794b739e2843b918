/*
 * A call the supervisor performs for the program that may have to wait
 * (recvfrom, recvmsg, accept, a send on a full buffer) never blocks the
 * supervisor: it is tried at once without waiting; if it would block and
 * the program's socket is blocking, a thread of its own polls the socket
 * (in slices, so that a call the program gave up, a signal, is seen) and
 * tries again when it is ready (an accept, which has no MSG_DONTWAIT,
 * only then), until the socket's SO_RCVTIMEO or
 * SO_SNDTIMEO runs out (EAGAIN, as the kernel answers).
 */
#ifndef BIA_SUPERVISOR_BLOCKING_H
#define BIA_SUPERVISOR_BLOCKING_H

#include <linux/seccomp.h>
#include <stdbool.h>

struct blocking_op {
    int listener;
    struct seccomp_notif req;
    int sock;                     /* the supervisor's copy of the program's socket */
    short events;                 /* POLLIN or POLLOUT */
    bool nowait;                  /* MSG_DONTWAIT or O_NONBLOCK: never waits */
    bool wait_first;              /* an attempt may block unless the socket is ready */
    /* Tries without blocking; false (nothing done, nothing answered) when
     * it would block, else true once it answered the call. */
    bool (*attempt)(struct blocking_op *op);
    void (*release)(struct blocking_op *op);   /* frees op and what it holds */
};

/* Runs op to its answer; op is released. */
void blocking_run(struct blocking_op *op);

#endif
