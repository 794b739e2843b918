/*
 * ICMP echo messages and the errors about them, between the ICMPv6 form an
 * IPv6 program speaks and the ICMPv4 form its socket carries when its peer
 * is a synthesized address (RFC 7915 sections 4.2 and 5.2, the mirror of
 * v4prog/icmpxlat.h). Byte work only: no system call, so that
 * test/c/icmp6_xlat.c checks it alone.
 */
#ifndef BIA_ICMP6XLAT_H
#define BIA_ICMP6XLAT_H

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a received message is shown to the program. */
struct bia_icmp6_view {
    /* The addresses of the ICMPv6 pseudo-header, for the checksum. */
    struct in6_addr src, dst;
    /* The IPv6 address shown for an IPv4 address in an error's inner
     * header. */
    struct in6_addr (*map)(struct in_addr a);
};

/* The ICMPv6 message the program sends (n bytes at in) in ICMPv4 form,
 * with its checksum, written to out (n bytes). Only an echo request has
 * one (a ping socket takes nothing else): -1 otherwise. */
int bia_icmp6_request_to_v4(const unsigned char *in, size_t n, unsigned char *out);

/* A received ICMPv4 message (n bytes at in, without an IPv4 header; from
 * the error queue, the echo request an error came back for) in ICMPv6
 * form, with its checksum, written to out (room for n + 20 bytes).
 * Returns its length, or -1 for a message without an ICMPv6 form, which
 * RFC 7915 drops. */
long bia_icmp6_from_v4(const unsigned char *in, size_t n, unsigned char *out,
                       const struct bia_icmp6_view *view);

/* The ICMPv6 type and code of an ICMPv4 error (RFC 7915 4.2), and for
 * "fragmentation needed" the MTU in IPv6 terms (*mtu: the IPv4 one in).
 * False: it has none. */
bool bia_icmp6_error_type(unsigned char type4, unsigned char code4, unsigned char *type6,
                          unsigned char *code6, uint32_t *mtu);

/* An ICMPv4 error an IP_RECVERR reports (ee, in place) as ICMPv6 reports
 * it: origin, type, code, the MTU and the errno the kernel gives for that
 * ICMPv6 error. One without an ICMPv6 form is left alone. */
struct sock_extended_err;
void bia_icmp6_ee_from_v4(struct sock_extended_err *ee);

/* The ICMP_FILTER (bit n set: ICMPv4 type n blocked) for an ICMP6_FILTER:
 * an ICMPv4 type passes when an ICMPv6 type it becomes passes; those
 * with no ICMPv6 form are blocked. */
uint32_t bia_icmp6_filter_to_v4(const struct icmp6_filter *filter);

#endif
