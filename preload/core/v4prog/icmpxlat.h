/*
 * ICMP echo messages and the errors about them, between the ICMPv4 form an
 * IPv4 program speaks and the ICMPv6 form its translated socket carries
 * (RFC 7915 sections 4.2 and 5.2). Byte work only: no system call, so
 * that test/c/icmp_xlat.c checks it alone.
 */
#ifndef BIA_ICMPXLAT_H
#define BIA_ICMPXLAT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* How a received message is shown to the program. */
struct bia_icmp_v4view {
    bool raw;                   /* a raw socket: an IPv4 header first */
    struct in_addr src, dst;    /* that header's addresses */
    unsigned char ttl;          /* and its TTL */
    /* The IPv4 address standing for an address in an error's inner
     * header: local says it is this host's own (the inner source). */
    struct in_addr (*map)(const struct in6_addr *a, bool local);
};

/* The ICMPv4 message the program sends (n bytes at in) in ICMPv6 form,
 * written to out (n bytes). Only an echo request has one (a ping socket
 * takes nothing else): -1 otherwise. The checksum is left 0: the kernel
 * computes ICMPv6's, which covers a pseudo-header. */
int bia_icmp_request_to_v6(const unsigned char *in, size_t n, unsigned char *out);

/* A received ICMPv6 message (n bytes at in; from the error queue, the
 * echo request an error came back for) in ICMPv4 form, with its
 * checksum, written to out (room for n + 20 bytes). Returns its length,
 * or -1 for a message without an ICMPv4 form, which RFC 7915 drops. */
long bia_icmp_to_v4(const unsigned char *in, size_t n, unsigned char *out,
                    const struct bia_icmp_v4view *view);

/* The Internet checksum of n bytes (RFC 1071). */
unsigned short bia_icmp_checksum(const unsigned char *p, size_t n);

#endif
