/*
 * Control messages of a swapped socket, translated between the IPv6 form
 * the kernel speaks and the IPv4 form the program expects.
 */
#ifndef BIA_CMSG_H
#define BIA_CMSG_H

#include "v6prog/v6prog.h"

#include <stdbool.h>
#include <sys/socket.h>

/*
 * In place, after a receive: IPV6_PKTINFO -> IP_PKTINFO (unless the kernel
 * also gave IP_PKTINFO, as it does for an IPv4 sender), IPV6_TCLASS ->
 * IP_TOS, IPV6_HOPLIMIT -> IP_TTL, IPV6_RECVERR -> IP_RECVERR with the
 * ICMPv6 type/code and the offender in IPv4 form (over_v6: the message
 * came over IPv6, not from a v4-mapped peer, so that a path MTU is given
 * 20 bytes smaller). Every IPv4 form is no larger than its IPv6 one, so
 * the result always fits; msg_controllen is updated. Other messages are
 * kept as they are.
 */
void bia_cmsg_to_v4(struct msghdr *msg, bool over_v6);

/*
 * In place, after a receive on a marked socket of an IPv6 program
 * (v6prog.h): the IPv4-mapped addresses of IPV6_PKTINFO, IPV6_RECVERR's
 * offender and IPV6_ORIGDSTADDR in synthesized form, as the program's
 * other addresses are shown; IPV6_RECVERR's ICMPv4 error in ICMPv6 terms
 * and IP_TTL (a datagram that came over IPv4, v6opts.h) as
 * IPV6_HOPLIMIT. Sizes do not change.
 */
void bia_cmsg_v6prog(struct msghdr *msg, const struct bia_v6prog *state);

/*
 * After a receive on an AF_INET socket standing in for an IPv6 program's
 * AF_INET6 one (v4backed.h), whose control messages the kernel wrote into
 * kernel's buffer: IP_PKTINFO -> IPV6_PKTINFO, IP_TOS -> IPV6_TCLASS,
 * IP_TTL -> IPV6_HOPLIMIT, IP_RECVERR -> IPV6_RECVERR, addresses in
 * synthesized form, written into msg's buffer. Messages that no longer fit
 * are cut off with MSG_CTRUNC, as the kernel does.
 */
void bia_cmsg_from_v4(const struct msghdr *kernel, struct msghdr *msg,
                      const struct bia_v6prog *state);

/*
 * Before sending to an IPv6 destination: IP_PKTINFO -> IPV6_PKTINFO,
 * IP_TOS -> IPV6_TCLASS, IP_TTL -> IPV6_HOPLIMIT, written to out (size
 * bytes). Returns the new length, or -1 if out is too small (the caller
 * then sends the messages as they are).
 */
long bia_cmsg_to_v6(const struct msghdr *msg, void *out, size_t size);

#endif
