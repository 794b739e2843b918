/*
 * ping -6 to a synthesized address (an IPv6 program on an IPv4-only
 * network, the mirror of v4prog/icmpecho.h): an IPv6 program's ICMPv6
 * echo socket, a ping socket (SOCK_DGRAM/IPPROTO_ICMPV6) or a raw one
 * (SOCK_RAW/IPPROTO_ICMPV6), gets its ICMPv4 twin at socket() time,
 * parked on a descriptor of its own (a raw one needs a privilege ping
 * drops right after; both take the program's options as it sets them).
 * On the first connect or send to a synthesized or IPv4-mapped address
 * the twin takes the descriptor and the socket is marked backed
 * (v4backed.h: addresses and IPv6 options in IPv4 terms) with its ICMP
 * kind; what goes through it is translated (icmp6xlat.h).
 */
#ifndef BIA_ICMP6ECHO_H
#define BIA_ICMP6ECHO_H

#include "fd/sockrec.h"

#include <sys/socket.h>
#include <sys/types.h>

/* socket() made fd as socket(AF_INET6, type, protocol): an ICMPv6 echo
 * socket's twin is parked. */
void bia_icmp6_born(int fd, int type, int protocol);

/* SOCK_DGRAM or SOCK_RAW for such a socket, twin parked or taken over;
 * else 0, without a system call when the process has none. */
int bia_icmp6_kind(int fd);

/* Before a connect to addr: the twin takes fd if addr is one an IPv4
 * peer stands behind. */
void bia_icmp6_outbound(int fd, const struct sockaddr *addr, socklen_t len);

/* setsockopt on such a socket: before the swap on both it and its twin
 * (in IPv4 terms); after, in IPv4 terms (ICMP6_FILTER as ICMP_FILTER). */
int bia_icmp6_setsockopt(int fd, int level, int name, const void *value, socklen_t len);

/* sendto/sendmsg of an echo request (addr NULL: the connected peer), in
 * ICMPv4 form once the twin took fd. */
ssize_t bia_icmp6_sendto(int fd, const void *buf, size_t n, int flags,
                         const struct sockaddr *addr, socklen_t len);
ssize_t bia_icmp6_sendmsg(int fd, const struct msghdr *msg, int flags);

/* recvmsg on a swapped one (state: its mark): the message in ICMPv6 form,
 * a raw socket's IPv4 header gone (names and control messages stay IPv4:
 * the caller translates them). */
ssize_t bia_icmp6_recvmsg(int fd, struct msghdr *msg, int flags, const struct bia_v6prog *state);

#endif
