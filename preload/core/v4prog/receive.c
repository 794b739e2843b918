/*
 * The kernel writes the source into a local buffer, which is then handed
 * to the program as bia_inbound_copy_out() says (truncated to the
 * program's length, which is then set to the full size, as the kernel
 * does). A receive that asks for no source and no control messages, or on
 * a socket the library did not swap, goes straight to the kernel.
 */
#define _GNU_SOURCE
#include "v4prog/receive.h"

#include "fd/fdtable.h"
#include "runtime/real.h"
#include "v4prog/cmsg.h"
#include "v4prog/icmpecho.h"
#include "v4prog/inbound.h"
#include "v6prog/icmp6echo.h"
#include "v6prog/v6prog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* A socket of an IPv6 program whose IPv4 peers are shown in synthesized form. */
static ssize_t recvfrom_v6prog(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
                               socklen_t *len, const struct bia_v6prog *prog)
{
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    ssize_t r = bia_real()->recvfrom(fd, buf, n, flags, (struct sockaddr *)&from, &from_len);

    if (r < 0 || bia_v6prog_copy_out(&from, from_len, prog, addr, len))
        return -1;
    return r;
}

ssize_t bia_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
                     socklen_t *len)
{
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    struct bia_fdinfo info;
    struct bia_v6prog prog;
    ssize_t r;

    if (bia_icmp_kind(fd) || bia_icmp6_kind(fd)) {
        struct iovec v = {buf, n};
        struct msghdr m = {.msg_name = addr, .msg_namelen = len ? *len : 0, .msg_iov = &v, .msg_iovlen = 1};
        r = bia_recvmsg(fd, &m, flags);
        if (r >= 0 && addr && len)
            *len = m.msg_namelen;
        return r;
    }
    if (addr && !bia_fdtable_get(fd, &info) && bia_v6prog_get(fd, &prog))
        return recvfrom_v6prog(fd, buf, n, flags, addr, len, &prog);
    if (!addr || !bia_fdtable_get(fd, &info))
        return bia_real()->recvfrom(fd, buf, n, flags, addr, len);
    r = bia_real()->recvfrom(fd, buf, n, flags, (struct sockaddr *)&from, &from_len);
    if (r < 0 || bia_inbound_copy_out("recvfrom", &from, from_len, &info, addr, len))
        return -1;
    return r;
}

/* The program's name buffer while the kernel fills a local one. */
struct name_swap {
    void *name;
    socklen_t len;
    struct sockaddr_storage from;
};

/* Points msg at a local buffer; false (EINVAL) for a negative length, as
 * the kernel checks before receiving. */
static bool lend_name(struct msghdr *msg, struct name_swap *s)
{
    s->name = msg->msg_name;
    s->len = msg->msg_namelen;
    if (!s->name)
        return true;
    if ((int)s->len < 0) {
        errno = EINVAL;
        return false;
    }
    msg->msg_name = &s->from;
    msg->msg_namelen = sizeof s->from;
    return true;
}

/* Whose addresses a receive shows: a translated socket's (info) or an IPv6
 * program's (prog, v6prog.h). */
struct shown {
    const struct bia_fdinfo *info;
    const struct bia_v6prog *prog;
};

/* Gives the program back its buffer, filled; -1 with errno if it cannot be.
 * call names the receive for the trace. */
static int return_name(const char *call, struct msghdr *msg, struct name_swap *s,
                       const struct shown *who, bool received)
{
    socklen_t got = msg->msg_namelen;

    msg->msg_name = s->name;
    msg->msg_namelen = s->len;
    if (!s->name || !received)
        return 0;
    if (who->prog)
        return bia_v6prog_copy_out(&s->from, got, who->prog, s->name, &msg->msg_namelen);
    return bia_inbound_copy_out(call, &s->from, got, who->info, s->name, &msg->msg_namelen);
}

/* Which addresses fd's receives show; false: the kernel's as they are. */
static bool shown_for(int fd, struct bia_fdinfo *info, struct bia_v6prog *prog, struct shown *who)
{
    *who = (struct shown){0};
    if (bia_fdtable_get(fd, info))
        who->info = info;
    else if (bia_v6prog_get(fd, prog))
        who->prog = prog;
    return who->info || who->prog;
}

/* Room for a stand-in socket's IPv4 control messages: their IPv6 forms are
 * larger, so no more than this can fit any buffer the program gives. */
#define CONTROL 512

/* The program's control buffer while the kernel fills a local one, on a
 * stand-in socket (v4backed.h) whose IPv4 messages grow in IPv6 form. */
struct control_swap {
    void *control;
    size_t len;
    union {
        struct cmsghdr align;
        unsigned char bytes[CONTROL];
    } local;
};

static void lend_control(struct msghdr *msg, struct control_swap *c)
{
    c->control = msg->msg_control;
    c->len = msg->msg_controllen;
    if (!c->control)
        return;
    msg->msg_control = c->local.bytes;
    msg->msg_controllen = c->len < CONTROL ? c->len : CONTROL;
}

static void return_control(struct msghdr *msg, struct control_swap *c,
                           const struct bia_v6prog *prog, bool received)
{
    struct msghdr kernel = *msg;

    if (!c->control)
        return;
    msg->msg_control = c->control;
    msg->msg_controllen = c->len;
    if (received)
        bia_cmsg_from_v4(&kernel, msg, prog);
}

/* Hands a received message back to the program: its name, then its control
 * messages (c: lent, on a stand-in socket). -1 with errno if the name
 * cannot be written. */
static int finish(const char *call, struct msghdr *msg, struct name_swap *s,
                  struct control_swap *c, const struct shown *who, bool received)
{
    if (c)
        return_control(msg, c, who->prog, received);
    if (return_name(call, msg, s, who, received))
        return -1;
    if (received && !c && who->prog)
        bia_cmsg_v6prog(msg, who->prog);
    else if (received && !c)
        bia_cmsg_to_v4(msg, !s->name || !IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&s->from)->sin6_addr));
    return 0;
}

static bool lends_control(const struct shown *who)
{
    return who->prog && who->prog->backed;
}

ssize_t bia_recvmsg(int fd, struct msghdr *msg, int flags)
{
    struct control_swap control, *c = NULL;
    struct bia_fdinfo info;
    struct bia_v6prog prog;
    struct name_swap s;
    struct shown who;
    ssize_t r;
    int icmp;

    /* A translated ICMP socket's messages change, whatever else is asked. */
    if (!msg ||
        (!msg->msg_name && !msg->msg_control && !bia_icmp_kind(fd) && !bia_icmp6_kind(fd)) ||
        !shown_for(fd, &info, &prog, &who))
        return bia_real()->recvmsg(fd, msg, flags);
    icmp = who.info ? bia_icmp_kind(fd) : 0;
    if (!lend_name(msg, &s))
        return -1;
    if (lends_control(&who))
        lend_control(msg, c = &control);
    if (icmp)
        r = bia_icmp_recvmsg(fd, msg, flags, icmp);
    else if (who.prog && who.prog->icmp)   /* an IPv6 program's, made ICMPv4 (icmp6echo.h) */
        r = bia_icmp6_recvmsg(fd, msg, flags, who.prog);
    else
        r = bia_real()->recvmsg(fd, msg, flags);
    if (finish("recvmsg", msg, &s, c, &who, r >= 0) || r < 0)
        return -1;
    return r;
}

int bia_recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags, struct timespec *tmo)
{
    struct control_swap *c = NULL;
    struct bia_fdinfo info;
    struct bia_v6prog prog;
    struct name_swap *s;
    struct shown who;
    unsigned int i, lent;
    int r, err;

    if (!v || !vlen || !shown_for(fd, &info, &prog, &who))
        return bia_real()->recvmmsg(fd, v, vlen, flags, tmo);
    if (vlen > UIO_MAXIOV)
        vlen = UIO_MAXIOV;   /* the kernel's own limit */
    s = malloc(vlen * sizeof *s);
    if (s && lends_control(&who) && !(c = malloc(vlen * sizeof *c))) {
        free(s);
        s = NULL;
    }
    if (!s) {
        errno = ENOMEM;
        return -1;
    }
    /* A bad length stops the batch before that message, as in the kernel. */
    for (lent = 0; lent < vlen && lend_name(&v[lent].msg_hdr, &s[lent]); lent++)
        if (c)
            lend_control(&v[lent].msg_hdr, &c[lent]);
    r = lent ? bia_real()->recvmmsg(fd, v, lent, flags, tmo) : -1;
    err = errno;
    /* A name that cannot be written is left unwritten: the batch stands. */
    for (i = 0; i < lent; i++)
        finish("recvmmsg", &v[i].msg_hdr, &s[i], c ? &c[i] : NULL, &who, r >= 0 && i < (unsigned)r);
    free(c);
    free(s);
    errno = err;
    return r;
}
