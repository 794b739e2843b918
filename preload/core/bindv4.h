/* bind() of an AF_INET socket: where an IPv4 server listens (draft 3.2). */
#ifndef BIA_BINDV4_H
#define BIA_BINDV4_H

#include <netinet/in.h>

/*
 * For a bind whose address the program gave as a complete sockaddr_in.
 * 0.0.0.0 swaps the socket to a dual-stack AF_INET6 one bound to [::], so
 * IPv6 clients reach it too (native bind if the kernel has no IPv6); a
 * pool or paired address binds the IPv6 address it stands for; anything
 * else (127.0.0.1, a real local IPv4 address) binds natively. Returns what
 * bind() returns, with the kernel's errno.
 */
int bia_bind4(int fd, const struct sockaddr_in *addr, socklen_t len);

#endif
