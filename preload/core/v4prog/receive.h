/* recvfrom/recvmsg/recvmmsg on a swapped socket: sources and control
 * messages come back in IPv4 form. */
#ifndef BIA_RECEIVE_H
#define BIA_RECEIVE_H

#include <sys/socket.h>
#include <sys/types.h>

struct mmsghdr;
struct timespec;

/* Each returns what the real function returns, with its errno. */
ssize_t bia_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *addr,
                     socklen_t *len);
ssize_t bia_recvmsg(int fd, struct msghdr *msg, int flags);
int bia_recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags, struct timespec *tmo);

#endif
