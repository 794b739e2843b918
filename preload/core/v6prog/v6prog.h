/*
 * Sockets of IPv6 programs that reach IPv4 peers (draft section 5). With
 * the mapped format the kernel does all of it: a synthesized ::ffff:a.b.c.d
 * destination only needs IPV6_V6ONLY lifted (v6only.h). With the other
 * formats (synth.h) a synthesized destination is rewritten to ::ffff:a.b.c.d
 * on the program's own AF_INET6 socket, and the socket is marked: from
 * then on every IPv4-mapped address the kernel reports on it (peer, local
 * address, datagram sources, accepted clients) is shown in the synthesized
 * form, so the program only ever sees addresses like the ones it resolved.
 *
 * A mark is a part of the socket's record (sockrec.h), so a reused number
 * is not believed and the mark follows the socket: a dup copies it, a fork
 * child has the table, and exec carries it in the environment
 * (v6inherit.h).
 */
#ifndef BIA_V6PROG_H
#define BIA_V6PROG_H

#include "fd/sockrec.h"

#include <stdbool.h>
#include <sys/socket.h>
#include <netinet/in.h>


/*
 * For an AF_INET6 destination of connect (connecting true), sendto or
 * sendmsg on a socket the library did not swap. Returns 1 to use addr as
 * given (IPV6_V6ONLY lifted first for an IPv4-mapped one), 0 with *to set
 * to the IPv4-mapped form of a synthesized destination (the option lifted,
 * the socket marked), or -1 with errno (EHOSTUNREACH: a pool-format
 * address the helper does not know).
 */
int bia_v6prog_destination(int fd, const struct sockaddr *addr, socklen_t len,
                           struct sockaddr_in6 *to, bool connecting);

/*
 * A connect to an IPv6 address this process has no PAIRED entry for failed
 * with ENETUNREACH: on an IPv4-only network, the name may have been
 * resolved elsewhere (lftp's lookup child, a resolver thread of another
 * library) while the helper keeps every pairing it made. True when the
 * helper's MAP6 answers one, now in the mapping cache, so that
 * bia_v6prog_destination finds it; false when the connect fails as it did.
 */
bool bia_v6prog_learn_pair(const struct sockaddr *addr, socklen_t len);

/* bind() of an AF_INET6 socket (not a swapped one): an IPv6-only server
 * ([::] with IPV6_V6ONLY on) on an IPv4-only network gets the option
 * lifted, so that IPv4 clients reach it (draft 5.2); if that bind fails
 * (the port is taken on the IPv4 side) it binds as the program asked.
 * A synthesized address (this host's IPv4 address as getsockname shows
 * it) is bound as its IPv4-mapped form, the option lifted, the socket
 * marked. */
int bia_v6prog_bind(int fd, const struct sockaddr *addr, socklen_t len);

/* Whether fd is marked; *out gets its state. */
bool bia_v6prog_get(int fd, struct bia_v6prog *out);

/* Marks a socket accepted on a marked listener (backed like it). */
void bia_v6prog_mark_accepted(int fd, const struct bia_v6prog *listener);

/* Marks an AF_INET socket made for the program's AF_INET6 one (v4backed.h). */
void bia_v6prog_mark_backed(int fd);

/* Remembers IPV6_V6ONLY on a backed socket. */
void bia_v6prog_set_v6only(int fd, bool on);

/* An IPv4-mapped address in synthesized form, in place: the connected
 * peer as the address the program connected to. Others are left alone. */
void bia_v6prog_addr_out(const struct bia_v6prog *state, struct in6_addr *a);

/* Hands the kernel's address to the program (as bia_sockaddr_copy_out())
 * with an IPv4-mapped address (or, on a backed socket, an IPv4 one) in
 * synthesized form; the connected peer as the address the program
 * connected to. */
int bia_v6prog_copy_out(const struct sockaddr_storage *kernel, socklen_t kernel_len,
                        const struct bia_v6prog *state, struct sockaddr *dst, socklen_t *len);

#endif
