#include "recv.h"

#include "blocking.h"
#include "dnssteer.h"
#include "msgcall.h"
#include "names.h"
#include "owned.h"
#include "sockint.h"
#include "sockout.h"
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct recv_op {
    struct blocking_op op;        /* first: the op is the recv_op */
    struct msgcall m;
    char *data, *control;
    size_t cap;
    bool owned;                   /* translated (else only steered) */
};

/* The source as the program sees it, into *shown. */
static socklen_t source(struct recv_op *r, struct sockaddr_storage *from, socklen_t len,
                        struct sockaddr_storage *shown)
{
    const struct sockaddr_in6 *six = (const struct sockaddr_in6 *)from;

    dnssteer_reply_source(r->op.sock, from, &len);
    if (!r->owned || from->ss_family != AF_INET6 || len < sizeof *six) {
        memcpy(shown, from, len);
        return len;
    }
    *(struct sockaddr_in *)shown = (struct sockaddr_in){
        .sin_family = AF_INET, .sin_port = six->sin6_port, .sin_addr = names_peer_v4(&six->sin6_addr)};
    return sizeof(struct sockaddr_in);
}

/* What recvmsg received, written where the kernel writes it; 0 or an errno. */
static int deliver(struct recv_op *r, size_t n, struct msghdr *h)
{
    const struct seccomp_notif *req = &r->op.req;
    struct sockaddr_storage shown;
    socklen_t shown_len = source(r, h->msg_name, h->msg_namelen, &shown);
    uint64_t controllen = h->msg_controllen;
    int flags = h->msg_flags;

    if (n > r->cap)
        n = r->cap;   /* MSG_TRUNC: the datagram's size, not what was copied */
    if (target_writev(req, r->m.iov, r->m.iovlen, r->data, n))
        return EFAULT;
    if (r->m.flags_at && (target_write(req, r->m.flags_at, &flags, sizeof flags) ||
                          (controllen && target_write(req, r->m.control, r->control, controllen)) ||
                          target_write(req, r->m.controllen_at, &controllen, sizeof controllen)))
        return EFAULT;
    return sockout_copy(req, r->m.name, r->m.namelen_at, &shown, shown_len);
}

static bool attempt(struct blocking_op *op)
{
    struct recv_op *r = (struct recv_op *)op;
    struct sockaddr_storage from = {0};
    struct iovec iov = {r->data, r->cap};
    struct msghdr h = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = r->control, .msg_controllen = r->control ? r->m.controllen : 0};
    ssize_t n;
    int err;

    /* A datagram taken for a call that is gone would be lost. */
    if (!target_alive(op->listener, &op->req))
        return true;
    n = recvmsg(op->sock, &h, r->m.flags | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
    err = n < 0 ? errno : deliver(r, (size_t)n, &h);
    if (err)
        target_answer(op->listener, &op->req, err);
    else
        target_return(op->listener, &op->req, n);
    return true;
}

static void release(struct blocking_op *op)
{
    struct recv_op *r = (struct recv_op *)op;

    msgcall_free(&r->m);
    free(r->data);
    free(r->control);
    if (op->sock >= 0)
        close(op->sock);
    free(r);
}

/* Whether the supervisor receives this one itself. */
static bool ours(struct recv_op *r)
{
    struct in_addr peer;

    if (msgcall_read(&r->op.req, &r->m) || !r->m.name || (r->m.flags & MSG_ERRQUEUE) ||
        r->m.controllen > MSGCALL_CONTROL_MAX || (r->op.sock = target_fd(&r->op.req, r->m.fd)) < 0 ||
        sockopt_int(r->op.sock, SO_TYPE) != SOCK_DGRAM)
        return false;
    r->owned = sockopt_int(r->op.sock, SO_DOMAIN) == AF_INET6 && owned_find(r->op.sock, &peer);
    if (!r->owned && !dnssteer_known(r->op.sock))
        return false;
    r->cap = r->m.total < MSGCALL_DATA_MAX ? r->m.total : MSGCALL_DATA_MAX;
    return (r->data = malloc(r->cap ? r->cap : 1)) &&
           (!r->m.controllen || (r->control = malloc(r->m.controllen)));
}

void recv_serve(int listener, const struct seccomp_notif *req)
{
    struct recv_op *r = calloc(1, sizeof *r);
    int flags;

    if (!r) {
        target_continue(listener, req);
        return;
    }
    *r = (struct recv_op){.op = {.listener = listener, .req = *req, .sock = -1, .events = POLLIN,
                                 .attempt = attempt, .release = release}};
    if (!ours(r)) {
        target_continue(listener, req);
        release(&r->op);
        return;
    }
    flags = fcntl(r->op.sock, F_GETFL);
    r->op.nowait = (r->m.flags & MSG_DONTWAIT) || (flags >= 0 && (flags & O_NONBLOCK));
    blocking_run(&r->op);
}
