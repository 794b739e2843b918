#include "msgcall.h"

#include "target.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/syscall.h>

/* The kernel's struct msghdr on a 64-bit ABI. */
struct msghdr64 {
    uint64_t name;
    uint32_t namelen, pad0;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad1;
};

static int one_buffer(const struct seccomp_notif *req, struct msgcall *m)
{
    if (!(m->iov = malloc(sizeof *m->iov)))
        return ENOMEM;
    m->iov[0] = (struct iovec){(void *)(uintptr_t)req->data.args[1], (size_t)req->data.args[2]};
    m->iovlen = 1;
    m->total = (size_t)req->data.args[2];
    m->name = req->data.args[4];
    if (req->data.nr == __NR_sendto)
        m->namelen = (socklen_t)req->data.args[5];
    else
        m->namelen_at = req->data.args[5];
    return 0;
}

static int from_msghdr(const struct seccomp_notif *req, struct msgcall *m)
{
    uint64_t at = req->data.args[1];
    struct msghdr64 h;

    if (target_read(req, at, &h, sizeof h))
        return EFAULT;
    if (h.iovlen > MSGCALL_IOV_MAX)
        return EMSGSIZE;
    m->name = h.name;
    m->namelen = h.namelen;
    if (req->data.nr == __NR_recvmsg) {
        if ((int32_t)h.namelen < 0)
            return EINVAL;
        m->namelen_at = at + offsetof(struct msghdr64, namelen);
        m->controllen_at = at + offsetof(struct msghdr64, controllen);
        m->flags_at = at + offsetof(struct msghdr64, flags);
    }
    m->control = h.control;
    m->controllen = (size_t)h.controllen;
    m->iovlen = (size_t)h.iovlen;
    if (!(m->iov = calloc(m->iovlen ? m->iovlen : 1, sizeof *m->iov)))
        return ENOMEM;
    if (m->iovlen && target_read(req, h.iov, m->iov, m->iovlen * sizeof *m->iov))
        return EFAULT;
    for (size_t i = 0; i < m->iovlen; i++)
        m->total += m->iov[i].iov_len;
    return 0;
}

int msgcall_read(const struct seccomp_notif *req, struct msgcall *m)
{
    bool plain = req->data.nr == __NR_sendto || req->data.nr == __NR_recvfrom;
    int err;

    *m = (struct msgcall){.fd = (int)req->data.args[0], .flags = (int)req->data.args[plain ? 3 : 2]};
    err = plain ? one_buffer(req, m) : from_msghdr(req, m);
    if (err)
        msgcall_free(m);
    return err;
}

void msgcall_free(struct msgcall *m)
{
    free(m->iov);
    m->iov = NULL;
}
