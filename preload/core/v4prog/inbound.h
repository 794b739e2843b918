/*
 * Addresses coming from the kernel of a swapped (AF_INET6) socket, shown to
 * the program as IPv4: accept, recvfrom, recvmsg, recvmmsg, getpeername,
 * getsockname and the addresses inside control messages.
 */
#ifndef BIA_INBOUND_H
#define BIA_INBOUND_H

#include "fd/fdtable.h"

#include <netinet/in.h>
#include <sys/socket.h>

/*
 * The IPv4 address that stands for a: itself if v4-mapped, 0.0.0.0 for ::,
 * else the pool or paired address from the mapping cache or, failing that,
 * from MAP6 at the helper (which allocates one on the spot, draft 2.3).
 * 0.0.0.0 if the helper cannot say (logged).
 */
struct in_addr bia_inbound_v4(const struct in6_addr *a);

/*
 * The IPv4 address that stands for a, one of this host's own addresses
 * (a socket's local address): itself if v4-mapped, 0.0.0.0 for ::, the
 * pool or paired address of the mapping cache (a program that bound one),
 * else this host's fixed stand-in 192.0.0.2 (sockaddr.h); never the helper.
 */
struct in_addr bia_inbound_local_v4(const struct in6_addr *a);

/*
 * The same, for a caller that must not go on with 0.0.0.0 when the helper
 * refused (accept): 0 with *v4 set, else the errno of the refusal
 * (EADDRNOTAVAIL for QUOTA and POOL_EXHAUSTED: no new stand-in address
 * for this process now); *v4 is 0.0.0.0 then, and when the helper cannot say.
 */
int bia_inbound_map(const struct in6_addr *a, struct in_addr *v4);

/*
 * Converts what the kernel reported (kernel_len bytes at kernel) into the
 * program's buffer the way the kernel itself would: at most *len bytes
 * copied, *len set to the full size (0 when the kernel reported nothing).
 * An address that is not AF_INET6 goes out unchanged. The peer a socket
 * was connected to shows as the address the program connected to (info,
 * may be NULL). A translated address is traced as call (core/runtime/trace.h)
 * unless call is NULL. Returns 0, or -1 with EFAULT/EINVAL as
 * bia_sockaddr_copy_out.
 */
int bia_inbound_copy_out(const char *call, const struct sockaddr_storage *kernel,
                         socklen_t kernel_len, const struct bia_fdinfo *info, struct sockaddr *dst,
                         socklen_t *len);

/* bia_inbound_copy_out for a socket's local address (getsockname):
 * translated by bia_inbound_local_v4. */
int bia_inbound_copy_out_local(const struct sockaddr_storage *kernel, socklen_t kernel_len,
                               struct sockaddr *dst, socklen_t *len);

#endif
