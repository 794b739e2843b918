#include "runtime/msgbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t bia_msg_room(const struct msghdr *msg)
{
    size_t total = 0;

    for (size_t i = 0; i < (size_t)msg->msg_iovlen && total < BIA_MSG_MAX; i++)
        total += msg->msg_iov[i].iov_len;
    return total < BIA_MSG_MAX ? total : BIA_MSG_MAX;
}

unsigned char *bia_msg_gather(const struct msghdr *msg, size_t *n)
{
    size_t at = 0;
    unsigned char *buf;

    *n = bia_msg_room(msg);
    buf = malloc(*n ? *n : 1);
    if (!buf) {
        errno = ENOBUFS;
        return NULL;
    }
    for (size_t i = 0; i < (size_t)msg->msg_iovlen && at < *n; i++) {
        size_t part = msg->msg_iov[i].iov_len < *n - at ? msg->msg_iov[i].iov_len : *n - at;
        memcpy(buf + at, msg->msg_iov[i].iov_base, part);
        at += part;
    }
    return buf;
}

ssize_t bia_msg_scatter(struct msghdr *msg, const struct msghdr *k, const unsigned char *out,
                        size_t len, size_t room, int flags)
{
    size_t at = 0;

    for (size_t i = 0; i < (size_t)msg->msg_iovlen && at < len && at < room; i++) {
        size_t part = msg->msg_iov[i].iov_len;
        if (part > len - at)
            part = len - at;
        memcpy(msg->msg_iov[i].iov_base, out + at, part);
        at += part;
    }
    msg->msg_namelen = k->msg_namelen;
    msg->msg_controllen = k->msg_controllen;
    msg->msg_flags = k->msg_flags | (len > room ? MSG_TRUNC : 0);
    return flags & MSG_TRUNC ? (ssize_t)len : (ssize_t)at;
}
