/*
 * ping -4 to a pool address: an IPv4 program's ICMP echo socket (a ping
 * socket, SOCK_DGRAM/IPPROTO_ICMP, or SOCK_RAW/IPPROTO_ICMP) is swapped
 * (swap.h) for its ICMPv6 twin at the same descriptor on its first echo to
 * an IPv6 peer, and what goes through it is translated (icmpxlat.h): echo
 * requests out, echo replies and the errors about them in, with an IPv4
 * header made up on a raw socket. Its record (sockrec.h) says which kind
 * it is.
 */
#ifndef BIA_ICMPECHO_H
#define BIA_ICMPECHO_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

/*
 * socket() made fd as socket(AF_INET, type, protocol). A raw ICMP socket
 * gets its ICMPv6 twin now, parked on a descriptor of its own, because
 * the program may drop the privilege raw sockets need right after (ping
 * does) and a swap could then not make one.
 */
void bia_icmp_born(int fd, int type, int protocol);

/* The ICMPv6 socket to replace the ICMP one of type on fd: its parked
 * twin, else a new one. -1 with errno if none can be had. */
int bia_icmp_twin(int fd, int type);

/* Readies s, that ICMPv6 socket, once it holds the program's options: a
 * raw one passes only what has an ICMPv4 form, with its hop limit. */
void bia_icmp_prepare(int s, int type);

/* setsockopt(fd, SOL_RAW, ICMP_FILTER) on a translated raw socket: the
 * same filter in ICMPv6 terms (ICMP6_FILTER). */
int bia_icmp_filter(int fd, const void *value, socklen_t len);

/* fd now holds the ICMPv6 twin of an ICMP socket of type. */
void bia_icmp_mark(int fd, int type);

/* SOCK_DGRAM or SOCK_RAW for a translated ICMP socket, else 0; no system
 * call when there is none. */
int bia_icmp_kind(int fd);

/* Sends the program's echo request (n bytes at buf) to the IPv6 peer to
 * (NULL: the one the socket is connected to). */
ssize_t bia_icmp_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr_in6 *to);

/* sendmsg of an echo request: its iovecs gathered, then as bia_icmp_sendto
 * (to: NULL for msg's own name). */
ssize_t bia_icmp_sendmsg(int fd, const struct msghdr *msg, int flags, const struct sockaddr_in6 *to);

/* recvmsg on a translated ICMP socket of kind: the message in ICMPv4 form
 * (names and control messages stay IPv6: the caller translates them). */
ssize_t bia_icmp_recvmsg(int fd, struct msghdr *msg, int flags, int kind);

#endif
