#include "send.h"

#include "blocking.h"
#include "dnssteer.h"
#include "literal.h"
#include "mapping.h"
#include "msgcall.h"
#include "owned.h"
#include "sockint.h"
#include "swap.h"
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct send_op {
    struct blocking_op op;        /* first: the op is the send_op */
    struct msgcall m;
    char *data, *control;
    struct sockaddr_in6 to;
    socklen_t tolen;
};

enum route { KERNEL, TRANSLATE, SWAP };

static bool attempt(struct blocking_op *op)
{
    struct send_op *s = (struct send_op *)op;
    struct iovec iov = {s->data, s->m.total};
    struct msghdr h = {.msg_name = &s->to, .msg_namelen = s->tolen, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = s->control, .msg_controllen = s->control ? s->m.controllen : 0};
    ssize_t n = sendmsg(op->sock, &h, s->m.flags | MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return false;
    if (n < 0)
        target_answer(op->listener, &op->req, errno);
    else
        target_return(op->listener, &op->req, n);
    return true;
}

static void release(struct blocking_op *op)
{
    struct send_op *s = (struct send_op *)op;

    msgcall_free(&s->m);
    free(s->data);
    free(s->control);
    if (op->sock >= 0)
        close(op->sock);
    free(s);
}

/* Where the datagram goes; *err set for a pool address with no peer. */
static enum route route(struct send_op *s, const struct sockaddr_in6 *dst, socklen_t len, int *err)
{
    int sock = s->op.sock, domain = sockopt_int(sock, SO_DOMAIN);
    const struct sockaddr_in *sin = (const struct sockaddr_in *)dst;
    struct in_addr mine;
    bool owned = domain == AF_INET6 && owned_find(sock, &mine);

    *err = 0;
    if (sockopt_int(sock, SO_TYPE) != SOCK_DGRAM)
        return KERNEL;
    if (dnssteer_destination(sock, dst, len, &s->to, &s->tolen))
        return TRANSLATE;
    if (dst->sin6_family != AF_INET || len < sizeof *sin || (domain == AF_INET6 && !owned))
        return KERNEL;
    s->to = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = sin->sin_port};
    s->tolen = sizeof s->to;
    if (mapping_in_pool(sin->sin_addr)) {
        *err = mapping_lookup(sin->sin_addr, &s->to.sin6_addr);
        return domain == AF_INET ? SWAP : TRANSLATE;
    }
    if (literal_candidate(sin->sin_addr) && mapping_lookup(sin->sin_addr, &s->to.sin6_addr) == 0)
        return domain == AF_INET ? SWAP : TRANSLATE;   /* through the network's NAT64 */
    if (!owned)
        return KERNEL;
    s->to.sin6_addr.s6_addr[10] = s->to.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&s->to.sin6_addr.s6_addr[12], &sin->sin_addr, 4);
    return TRANSLATE;
}

/* The AF_INET6 socket in place of the program's, bound to the port the
 * old one had when that is free once the old one is gone; 0 or an errno. */
static int swap(struct send_op *s)
{
    struct sockaddr_in was = {0};
    socklen_t wl = sizeof was;
    int old = s->op.sock, sock = swap_make_socket(old, SOCK_DGRAM, sockopt_int(old, SO_PROTOCOL)), err;

    if (sock < 0)
        return errno;
    err = swap_install(s->op.listener, &s->op.req, s->m.fd, sock);
    if (err) {
        close(sock);
        return err;
    }
    owned_add(sock, (struct in_addr){htonl(INADDR_ANY)});
    (void)getsockname(old, (struct sockaddr *)&was, &wl);
    close(old);
    s->op.sock = sock;
    if (was.sin_port) {
        struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = was.sin_port};
        (void)bind(sock, (struct sockaddr *)&any, sizeof any);
    }
    return 0;
}

/* The data and control messages, read from the target; 0 or an errno. */
static int read_payload(struct send_op *s)
{
    const struct seccomp_notif *req = &s->op.req;

    if (s->m.total > MSGCALL_DATA_MAX)
        return EMSGSIZE;
    if (s->m.controllen > MSGCALL_CONTROL_MAX)
        return ENOBUFS;
    if (!(s->data = malloc(s->m.total ? s->m.total : 1)) ||
        (s->m.controllen && !(s->control = malloc(s->m.controllen))))
        return ENOMEM;
    if (target_readv(req, s->m.iov, s->m.iovlen, s->data, s->m.total) ||
        (s->control && target_read(req, s->m.control, s->control, s->m.controllen)))
        return EFAULT;
    return 0;
}

/* Fills and prepares s; KERNEL when the kernel should run the call. */
static enum route prepare(struct send_op *s, int *err)
{
    struct sockaddr_in6 dst = {0};
    socklen_t len;
    enum route r;

    if (msgcall_read(&s->op.req, &s->m) || !s->m.name || (int)s->m.namelen < (int)sizeof(struct sockaddr_in))
        return KERNEL;
    len = s->m.namelen < sizeof dst ? s->m.namelen : sizeof dst;
    if (target_read(&s->op.req, s->m.name, &dst, len) || (s->op.sock = target_fd(&s->op.req, s->m.fd)) < 0)
        return KERNEL;
    r = route(s, &dst, s->m.namelen, err);
    if (r == KERNEL || *err)
        return r;   /* with *err: a pool address with no peer */
    if (!target_alive(s->op.listener, &s->op.req))
        return KERNEL;   /* the address read may not have been the call's own */
    if ((*err = read_payload(s)) == 0 && r == SWAP)
        *err = swap(s);
    return r;
}

void send_serve(int listener, const struct seccomp_notif *req)
{
    struct send_op *s = calloc(1, sizeof *s);
    int err = 0, flags;

    if (!s) {
        target_continue(listener, req);
        return;
    }
    *s = (struct send_op){.op = {.listener = listener, .req = *req, .sock = -1, .events = POLLOUT,
                                 .attempt = attempt, .release = release}};
    if (prepare(s, &err) == KERNEL && !err) {
        target_continue(listener, req);
        release(&s->op);
        return;
    }
    if (err) {
        target_answer(listener, req, err);   /* a call gone (ENOENT) gets it nowhere */
        release(&s->op);
        return;
    }
    flags = fcntl(s->op.sock, F_GETFL);
    s->op.nowait = (s->m.flags & MSG_DONTWAIT) || (flags >= 0 && (flags & O_NONBLOCK));
    blocking_run(&s->op);
}
