/* connect() to an IPv4 address, translated where the route says so. */
#ifndef BIA_OUTBOUND_H
#define BIA_OUTBOUND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

/*
 * For a connect whose address the program gave as a complete sockaddr_in
 * (len >= sizeof *dst, family AF_INET). Returns what connect() returns,
 * with the kernel's errno wherever the kernel decides.
 */
int bia_connect4(int fd, const struct sockaddr_in *dst, socklen_t len);

/*
 * Where a connect or a datagram to dst goes: 0 with *to set (the socket on
 * fd is then AF_INET6, swapped here if it was not yet; *translated says
 * whether *to is a real IPv6 address rather than a v4-mapped one), 1 when
 * it goes to the kernel as the program gave it, -1 with errno when it must
 * fail (IPv4 multicast from a swapped socket: ENETUNREACH).
 * connecting: the socket is being connected to dst, which the fd table
 * then records as its peer.
 */
int bia_outbound_target(int fd, const struct sockaddr_in *dst, bool connecting,
                        struct sockaddr_in6 *to, bool *translated);

/*
 * True, with errno EAFNOSUPPORT, when fd is a swapped socket and addr
 * (len bytes, long enough for a sockaddr_in) has a family an AF_INET
 * socket refuses but its AF_INET6 replacement would take.
 */
bool bia_outbound_wrong_family(int fd, const struct sockaddr *addr, socklen_t len);

#endif
