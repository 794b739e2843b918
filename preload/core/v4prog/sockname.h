/* getpeername()/getsockname() on a translated socket: the kernel answers
 * in IPv6, the program expects IPv4. */
#ifndef BIA_SOCKNAME_H
#define BIA_SOCKNAME_H

#include <stdbool.h>
#include <sys/socket.h>

/*
 * peer selects getpeername (true) or getsockname (false). Returns what the
 * real function returns; addresses of sockets the library swapped come
 * back as sockaddr_in.
 */
int bia_sockname(int fd, struct sockaddr *addr, socklen_t *len, bool peer);

#endif
