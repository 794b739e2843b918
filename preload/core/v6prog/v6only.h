/*
 * IPV6_V6ONLY on sockets that reach IPv4 peers through synthesized
 * (IPv4-mapped) addresses: the kernel carries such a connection over IPv4
 * only when the option is off, so bia turns it off and keeps answering
 * getsockopt with what the program set. Async-signal-safe, like connect.
 */
#ifndef BIA_V6ONLY_H
#define BIA_V6ONLY_H

#include <stdbool.h>
#include <sys/socket.h>

/* fd is about to connect to addr (len bytes, at least a sockaddr_in): if
 * that is a complete sockaddr_in6 with an IPv4-mapped address, turns
 * IPV6_V6ONLY off where the program turned it on. No system call for any
 * other address. Leaves errno alone; where the kernel refuses (a socket
 * already bound), connect fails as it would without bia. */
void bia_v6only_before_connect(int fd, const struct sockaddr *addr, socklen_t len);

/* Turns IPV6_V6ONLY off where the program turned it on (remembering that
 * it did, for getsockopt); false when it was off or the kernel refuses (a
 * bound socket). Leaves errno alone. */
bool bia_v6only_lift(int fd);

/* Undoes bia_v6only_lift() (a bind that must go ahead as the program asked). */
void bia_v6only_restore(int fd);

/* getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, ...), answering 1 where bia
 * lifted the program's setting. */
int bia_v6only_getsockopt(int fd, void *value, socklen_t *len);

#endif
