/*
 * Steering of the DNS queries a program sends itself (dig, host, dnspython,
 * c-ares: they read resolv.conf and never call getaddrinfo) to the helper's
 * DNS endpoint, which answers them as the extension name resolver would
 * (src/helper/dnsendpoint.ts; docs/function-mapper.md, "DNS that programs
 * send themselves"). Each hook makes one call here.
 */
#ifndef BIA_DNSSTEER_H
#define BIA_DNSSTEER_H

#include <sys/socket.h>
#include <sys/types.h>

/*
 * The destination a connect, sendto, sendmsg or sendmmsg of fd goes to: addr itself,
 * or, for port 53 of a server in resolv.conf (or the loopback fallback of a
 * program that found none of its family there) on an IPv6-only or
 * IPv4-only network, the endpoint in *buf, with *len set to its size.
 */
const struct sockaddr *bia_dnssteer_to(int fd, const struct sockaddr *addr, socklen_t *len,
                                       struct sockaddr_storage *buf);

/* sendmsg's: msg itself, or *copy naming the endpoint in *buf. */
const struct msghdr *bia_dnssteer_msg(int fd, const struct msghdr *msg, struct msghdr *copy,
                                      struct sockaddr_storage *buf);

/*
 * sendmmsg's: v itself (nothing to steer, or no memory to copy it), or a
 * copy of its first *vlen messages (at most UIO_MAXIOV, *vlen lowered to
 * that) with each query to a server naming the endpoint. Hand what was
 * sent and the call's result to bia_dnssteer_mmsg_done.
 */
struct mmsghdr;
struct mmsghdr *bia_dnssteer_mmsg(int fd, struct mmsghdr *v, unsigned int *vlen);

/* The sent messages' lengths back into v, the copy freed; returns rc.
 * Leaves errno alone. */
int bia_dnssteer_mmsg_done(struct mmsghdr *v, struct mmsghdr *sent, int rc);

/*
 * After a receive (rc its result) or getpeername (rc 0) on fd: a source or
 * peer that is the endpoint is shown as the server the program addressed.
 */
void bia_dnssteer_from(int fd, struct sockaddr *addr, socklen_t *len, ssize_t rc);
void bia_dnssteer_from_msg(int fd, struct msghdr *msg, ssize_t rc);
void bia_dnssteer_from_mmsg(int fd, struct mmsghdr *v, int rc);

#endif
