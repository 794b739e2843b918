/* Conversions between IPv4 and IPv6 socket addresses. */
#ifndef BIA_SOCKADDR_H
#define BIA_SOCKADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

/* "255.255.255.255:65535" or "[ffff:...:ffff]:65535", with room to spare. */
#define BIA_ADDRSTR_SIZE 64

/*
 * The IPv4 address that stands for the host's own IPv6 addresses on a
 * translated socket (getsockname, IP_PKTINFO): 192.0.0.2, from the IPv4
 * Service Continuity Prefix 192.0.0.0/29 (RFC 7335) that DS-Lite and
 * 464XLAT hosts take their own IPv4 identity from, as DSTM's temporary
 * IPv4 address did. One fixed address, outside the pool: the host's
 * addresses never compete with peers for pool addresses. docs/architecture.md,
 * "This host".
 */
#define BIA_THIS_HOST_V4 0xc0000002u   /* host byte order */

bool bia_v4_is_this_host(struct in_addr a);

/* Destinations never translated: 0.0.0.0, 127/8, multicast, broadcast,
 * this host's stand-in. */
bool bia_v4_is_special(struct in_addr a);

/* If a is ::ffff:a.b.c.d, stores a.b.c.d in *v4 and returns true. */
bool bia_v6_is_mapped(const struct in6_addr *a, struct in_addr *v4);

void bia_sin_make(struct sockaddr_in *out, struct in_addr addr, in_port_t port);
void bia_sin6_make(struct sockaddr_in6 *out, const struct in6_addr *addr, in_port_t port);
void bia_sin6_mapped(struct sockaddr_in6 *out, struct in_addr v4, in_port_t port);

/*
 * Hands an address to the program the way the kernel does for
 * getpeername/getsockname: copies at most *len bytes, then sets *len to
 * the full size. Returns 0, or -1 with errno EFAULT or EINVAL where the
 * kernel would fail.
 */
int bia_sockaddr_copy_out(const void *src, socklen_t size, struct sockaddr *dst, socklen_t *len);

const char *bia_sin_str(const struct sockaddr_in *a, char buf[BIA_ADDRSTR_SIZE]);
const char *bia_sin6_str(const struct sockaddr_in6 *a, char buf[BIA_ADDRSTR_SIZE]);

#endif
