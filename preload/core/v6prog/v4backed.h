/*
 * AF_INET6 sockets on a host whose kernel has IPv6 disabled (draft section
 * 5.1, socket(AF_INET6) failing with EAFNOSUPPORT): the program gets an
 * AF_INET socket instead, on the descriptor it would have had, and every
 * call that takes or gives an address or an IPv6 option speaks IPv6 to the
 * program and IPv4 to the kernel. The socket is marked as an IPv6 program's
 * (v6prog.h), so addresses come out in the synthesized format.
 */
#ifndef BIA_V4BACKED_H
#define BIA_V4BACKED_H

#include <stdbool.h>
#include <sys/socket.h>

/* socket(): AF_INET6 stream or datagram sockets the kernel refuses with
 * EAFNOSUPPORT are made AF_INET; everything else as the kernel answers. */
int bia_v4backed_socket(int domain, int type, int protocol);

/* Whether fd is such a socket. */
bool bia_v4backed(int fd);

/* connect/bind of an AF_INET6 address on such a socket: the IPv4 address
 * a synthesized, v4-mapped or paired destination stands for; [::] binds
 * 0.0.0.0. Other IPv6 addresses fail (ENETUNREACH to connect to,
 * EADDRNOTAVAIL to bind), as they would on a host without IPv6. */
int bia_v4backed_connect(int fd, const struct sockaddr *addr, socklen_t len);
int bia_v4backed_bind(int fd, const struct sockaddr *addr, socklen_t len);
ssize_t bia_v4backed_sendto(int fd, const void *buf, size_t n, int flags,
                            const struct sockaddr *addr, socklen_t len);
ssize_t bia_v4backed_sendmsg(int fd, const struct msghdr *msg, int flags);

/*
 * IPPROTO_IPV6 options, on the IPv4 option that does the same: IPV6_TCLASS
 * (IP_TOS), IPV6_UNICAST_HOPS and IPV6_MULTICAST_HOPS (IP_TTL and
 * IP_MULTICAST_TTL; -1, the default, is 0, 64 and 1; outside -1..255
 * EINVAL, as IPv6 checks), IPV6_RECVPKTINFO,
 * IPV6_RECVTCLASS, IPV6_RECVHOPLIMIT, IPV6_RECVERR (IP_PKTINFO,
 * IP_RECVTOS, IP_RECVTTL, IP_RECVERR: receives then give the IPv6 control
 * messages, cmsg.h), IPV6_MTU_DISCOVER, IPV6_MULTICAST_LOOP, and reading
 * IPV6_MTU (IP_MTU).
 * IPV6_V6ONLY is remembered (there is no IPv6 to exclude). The others are
 * the kernel's answer for an AF_INET socket (ENOPROTOOPT). SO_DOMAIN
 * answers AF_INET6, SO_PROTOCOL on an ICMP echo socket IPPROTO_ICMPV6.
 */
int bia_v4backed_setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int bia_v4backed_getsockopt(int fd, int level, int name, void *value, socklen_t *len);

#endif
