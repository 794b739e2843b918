/*
 * A trapped sendto, sendmsg, recvfrom or recvmsg in one form: where its
 * address, data and control messages are in the target's memory, read
 * from its arguments (and its struct msghdr) as the kernel reads them.
 */
#ifndef BIA_SUPERVISOR_MSGCALL_H
#define BIA_SUPERVISOR_MSGCALL_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define MSGCALL_IOV_MAX 1024      /* UIO_MAXIOV */
#define MSGCALL_DATA_MAX 65536    /* a datagram, the largest the supervisor handles */
#define MSGCALL_CONTROL_MAX 65536

struct msgcall {
    int fd, flags;
    uint64_t name;                /* 0: none */
    socklen_t namelen;            /* send: the length given */
    uint64_t namelen_at;          /* receive: where the kernel writes it back */
    struct iovec *iov;            /* the target's, malloc'd here */
    size_t iovlen, total;
    uint64_t control;
    size_t controllen;
    uint64_t controllen_at, flags_at;   /* recvmsg: the msghdr fields written back; 0 else */
};

/* 0 with m filled (msgcall_free it), else the kernel's errno (EFAULT,
 * EINVAL, EMSGSIZE). */
int msgcall_read(const struct seccomp_notif *req, struct msgcall *m);
void msgcall_free(struct msgcall *m);

#endif
