/* connect() to an IPv4 address, translated where the route says so. */
#ifndef BIA_OUTBOUND_H
#define BIA_OUTBOUND_H

#include <netinet/in.h>

/*
 * For a connect whose address the program gave as a complete sockaddr_in
 * (len >= sizeof *dst, family AF_INET). Returns what connect() returns,
 * with the kernel's errno wherever the kernel decides.
 */
int bia_connect4(int fd, const struct sockaddr_in *dst, socklen_t len);

#endif
