/* accept()/accept4() on a listener the library swapped to AF_INET6. */
#ifndef BIA_ACCEPT_H
#define BIA_ACCEPT_H

#include <sys/socket.h>

/*
 * Returns what accept4() returns. A connection accepted from a swapped
 * listener is recorded in the fdtable (so getpeername, getsockname and
 * SO_DOMAIN answer IPv4) and its peer reported as IPv4: a v4-mapped client
 * as itself, an IPv6 client as its pool address (MAP6).
 */
int bia_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags);

#endif
