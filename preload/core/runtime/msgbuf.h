/*
 * A message's bytes between a program's iovecs and one buffer, for the
 * calls whose payload the library rewrites whole (ICMP echo in both
 * directions): gathered before a send, scattered after a receive, with
 * the kernel's rules for a buffer too small (MSG_TRUNC).
 */
#ifndef BIA_MSGBUF_H
#define BIA_MSGBUF_H

#include <sys/socket.h>
#include <sys/types.h>

/* The largest message the library copies (an IP datagram's limit). */
#define BIA_MSG_MAX 65536

/* What msg's iovecs hold, at most BIA_MSG_MAX. */
size_t bia_msg_room(const struct msghdr *msg);

/* A malloc'ed copy of the first bia_msg_room(msg) bytes of msg's iovecs
 * (*n of them), or NULL with errno ENOBUFS. */
unsigned char *bia_msg_gather(const struct msghdr *msg, size_t *n);

/*
 * What the program's receive shows: out (len bytes) scattered over msg's
 * iovecs (room bytes), the name and control lengths and flags of the
 * kernel's receive k, MSG_TRUNC when len > room. Returns what the receive
 * returns: len under the program's own MSG_TRUNC, else what was copied.
 */
ssize_t bia_msg_scatter(struct msghdr *msg, const struct msghdr *k, const unsigned char *out,
                        size_t len, size_t room, int flags);

#endif
