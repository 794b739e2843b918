/*
 * IPv6 options of an IPv6 program's dual-stack socket that its IPv4
 * traffic ignores. A datagram to a synthesized address leaves as IPv4
 * (v6prog.h), where the kernel reads the IPPROTO_IP options only: a hop
 * limit, IPV6_RECVERR or a path MTU discovery mode would not apply to it,
 * and traceroute -6 and tracepath -6 would see no hop answer. Each is also
 * set at IPPROTO_IP, so that it holds toward IPv4 peers too; what comes
 * back is shown in IPv6 terms (cmsg.h, bia_cmsg_v6prog).
 */
#ifndef BIA_V6OPTS_H
#define BIA_V6OPTS_H

#include <sys/socket.h>

/* setsockopt on a socket the library did not translate: as the kernel
 * does, and on success an IPPROTO_IPV6 option also set at IPPROTO_IP
 * (IPV6_UNICAST_HOPS as IP_TTL, IPV6_RECVERR as IP_RECVERR,
 * IPV6_MTU_DISCOVER as IP_MTU_DISCOVER, IPV6_RECVHOPLIMIT and
 * IPV6_2292HOPLIMIT as IP_RECVTTL, IPV6_TCLASS as IP_TOS); a failure
 * there changes nothing the program sees. */
int bia_v6opts_setsockopt(int fd, int level, int name, const void *value, socklen_t len);

#endif
