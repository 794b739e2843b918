/* bind() of an AF_INET socket: where an IPv4 server listens (draft 3.2). */
#ifndef BIA_BINDV4_H
#define BIA_BINDV4_H

#include <sys/socket.h>

/*
 * For a bind whose address is at least as long as a sockaddr_in. Only
 * AF_INET is translated; on a swapped socket another family fails with
 * EAFNOSUPPORT as on an AF_INET socket, else it goes to the kernel.
 * 0.0.0.0 swaps the socket to a dual-stack AF_INET6 one bound to [::], so
 * IPv6 clients reach it too (native bind if the kernel has no IPv6); a
 * pool or paired address binds the IPv6 address it stands for; anything
 * else (127.0.0.1, a real local IPv4 address) binds natively. Returns what
 * bind() returns, with the kernel's errno.
 */
int bia_bind(int fd, const struct sockaddr *addr, socklen_t len);

#endif
