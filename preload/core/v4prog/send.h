/* sendto/sendmsg/sendmmsg to an IPv4 destination: translated like a
 * connect (core/v4prog/outbound.c), without connecting. */
#ifndef BIA_SEND_H
#define BIA_SEND_H

#include <sys/socket.h>
#include <sys/types.h>

struct mmsghdr;

/* Each returns what the real function returns, with its errno. */
ssize_t bia_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *addr,
                   socklen_t len);
ssize_t bia_sendmsg(int fd, const struct msghdr *msg, int flags);
int bia_sendmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags);

#endif
