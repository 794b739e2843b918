#include "accept.h"

#include "blocking.h"
#include "names.h"
#include "owned.h"
#include "sockout.h"
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)   /* Linux 5.14 */
#endif

struct accept_op {
    struct blocking_op op;        /* first: the op is the accept_op */
    int flags;                    /* accept4's */
};

/* Puts c in the target and answers with its number (atomically where
 * the kernel can); the errno when it cannot. */
static int install(struct accept_op *a, int c)
{
    struct seccomp_notif_addfd add = {
        .id = a->op.req.id,
        .flags = SECCOMP_ADDFD_FLAG_SEND,
        .srcfd = (__u32)c,
        .newfd_flags = (a->flags & SOCK_CLOEXEC) ? O_CLOEXEC : 0,
    };
    int fd = ioctl(a->op.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

    if (fd < 0 && errno == EINVAL) {   /* before 5.14: add, then answer */
        add.flags = 0;
        fd = ioctl(a->op.listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
        if (fd >= 0)
            target_return(a->op.listener, &a->op.req, fd);
    }
    return fd < 0 ? errno : 0;
}

static bool attempt(struct blocking_op *op)
{
    struct accept_op *a = (struct accept_op *)op;
    const struct seccomp_notif *req = &op->req;
    struct sockaddr_in6 peer = {0};
    socklen_t len = sizeof peer;
    struct sockaddr_in shown;
    int c, err = 0;

    if (!target_alive(op->listener, req))
        return true;   /* a connection taken for a call that is gone would be lost */
    c = accept4(op->sock, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC | (a->flags & SOCK_NONBLOCK));
    if (c < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
    if (c < 0) {
        target_answer(op->listener, req, errno);
        return true;
    }
    shown = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = peer.sin6_port,
                                 .sin_addr = names_peer_v4(&peer.sin6_addr)};
    if (req->data.args[1])   /* written before the connection is the program's, as the kernel does */
        err = sockout_copy(req, req->data.args[1], req->data.args[2], &shown, sizeof shown);
    if (!err) {
        owned_add(c, shown.sin_addr);
        err = install(a, c);
    }
    if (err)
        target_answer(op->listener, req, err);
    close(c);
    return true;
}

static void release(struct blocking_op *op)
{
    if (op->sock >= 0)
        close(op->sock);
    free(op);
}

void accept_serve(int listener, const struct seccomp_notif *req, bool four)
{
    struct accept_op *a = calloc(1, sizeof *a);
    struct in_addr none;
    int flags;

    if (!a) {
        target_continue(listener, req);
        return;
    }
    *a = (struct accept_op){.op = {.listener = listener, .req = *req, .events = POLLIN,
                                   .attempt = attempt, .release = release},
                            .flags = four ? (int)req->data.args[3] : 0};
    a->op.sock = target_fd(req, (int)req->data.args[0]);
    if (a->op.sock < 0 || !owned_find(a->op.sock, &none) || (a->flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))) {
        target_continue(listener, req);   /* not ours, or flags the kernel refuses with EINVAL */
        release(&a->op);
        return;
    }
    flags = fcntl(a->op.sock, F_GETFL);
    a->op.nowait = flags >= 0 && (flags & O_NONBLOCK);
    a->op.wait_first = !a->op.nowait;
    blocking_run(&a->op);
}
