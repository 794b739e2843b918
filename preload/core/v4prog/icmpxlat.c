/*
 * Only what ping and a translated echo need: echo request and reply, and
 * the errors that can come back for an echo (destination unreachable,
 * packet too big, time exceeded, parameter problem "unrecognized next
 * header"). Other ICMPv6 messages (neighbour discovery, MLD, other
 * parameter problems, whose pointer would need a table) are dropped, as
 * RFC 7915 5.2 drops informational messages it does not list.
 */
#include "v4prog/icmpxlat.h"

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#define IP4_HDR 20

unsigned short bia_icmp_checksum(const unsigned char *p, size_t n)
{
    unsigned long sum = 0;

    for (; n > 1; p += 2, n -= 2)
        sum += (unsigned)p[0] << 8 | p[1];
    if (n)
        sum += (unsigned)p[0] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((unsigned short)~sum);
}

static void put_checksum(unsigned char *msg, size_t n, size_t at)
{
    unsigned short sum;

    msg[at] = msg[at + 1] = 0;
    sum = bia_icmp_checksum(msg, n);
    memcpy(msg + at, &sum, 2);
}

int bia_icmp_request_to_v6(const unsigned char *in, size_t n, unsigned char *out)
{
    if (n < 8 || in[0] != ICMP_ECHO || in[1] != 0)
        return -1;
    memcpy(out, in, n);
    out[0] = ICMP6_ECHO_REQUEST;
    out[2] = out[3] = 0;
    return 0;
}

/* An IPv4 header for a packet of len bytes in all. */
static void ip4_header(unsigned char *h, size_t len, unsigned tos, unsigned ttl,
                       struct in_addr src, struct in_addr dst)
{
    struct iphdr ip = {.version = 4, .ihl = 5, .tos = (unsigned char)tos,
                       .tot_len = htons((unsigned short)(len > 0xffff ? 0xffff : len)),
                       .ttl = (unsigned char)ttl, .protocol = IPPROTO_ICMP,
                       .saddr = src.s_addr, .daddr = dst.s_addr};

    memcpy(h, &ip, IP4_HDR);
    put_checksum(h, IP4_HDR, 10);
}

/* Echo request or reply: type changed, everything else kept. */
static long echo(const unsigned char *in, size_t n, unsigned char *out)
{
    if (n < 8 || in[1] != 0)
        return -1;
    memcpy(out, in, n);
    out[0] = in[0] == ICMP6_ECHO_REPLY ? ICMP_ECHOREPLY : ICMP_ECHO;
    put_checksum(out, n, 2);
    return (long)n;
}

/* Type and code of an ICMPv6 error in ICMPv4 terms; false: none. */
static bool error_type(const unsigned char *in, unsigned char *type, unsigned char *code)
{
    static const unsigned char unreach[] = {ICMP_HOST_UNREACH, ICMP_HOST_ANO, ICMP_HOST_UNREACH,
                                            ICMP_HOST_UNREACH, ICMP_PORT_UNREACH};

    switch (in[0]) {
    case ICMP6_DST_UNREACH:
        *type = ICMP_DEST_UNREACH;
        *code = in[1] < sizeof unreach ? unreach[in[1]] : 0;
        return in[1] < sizeof unreach;
    case ICMP6_PACKET_TOO_BIG:
        *type = ICMP_DEST_UNREACH;
        *code = ICMP_FRAG_NEEDED;
        return true;
    case ICMP6_TIME_EXCEEDED:
        *type = ICMP_TIME_EXCEEDED;
        *code = in[1];
        return in[1] <= 1;
    case ICMP6_PARAM_PROB:
        *type = ICMP_DEST_UNREACH;
        *code = ICMP_PROT_UNREACH;
        return in[1] == ICMP6_PARAMPROB_NEXTHEADER;
    }
    return false;
}

/* The echo an error is about (inner IPv6 header and what follows of it,
 * n bytes) as IPv4, written to out; its length, or -1. */
static long inner(const unsigned char *in, size_t n, unsigned char *out,
                  const struct bia_icmp_v4view *view)
{
    struct ip6_hdr ip6;
    size_t rest;

    if (n < sizeof ip6 + 8)
        return -1;
    memcpy(&ip6, in, sizeof ip6);
    if (ip6.ip6_nxt != IPPROTO_ICMPV6 || (in[40] != ICMP6_ECHO_REQUEST && in[40] != ICMP6_ECHO_REPLY))
        return -1;
    rest = n - sizeof ip6;
    /* The checksum covers only what came back: the program cannot check
     * it anyway, the original being cut. */
    if (echo(in + sizeof ip6, rest, out + IP4_HDR) < 0)
        return -1;
    ip4_header(out, IP4_HDR + ntohs(ip6.ip6_plen), (ntohl(ip6.ip6_flow) >> 20) & 0xff,
               ip6.ip6_hlim, view->map(&ip6.ip6_src, true), view->map(&ip6.ip6_dst, false));
    return (long)(IP4_HDR + rest);
}

static long error(const unsigned char *in, size_t n, unsigned char *out,
                  const struct bia_icmp_v4view *view)
{
    unsigned char type, code;
    long len;

    if (n < 8 || !error_type(in, &type, &code))
        return -1;
    len = inner(in + 8, n - 8, out + 8, view);
    if (len < 0)
        return -1;
    memset(out, 0, 8);
    out[0] = type;
    out[1] = code;
    if (in[0] == ICMP6_PACKET_TOO_BIG) {
        /* The next-hop MTU, less the 20 bytes the IPv4 header is smaller. */
        unsigned long mtu = (unsigned long)in[4] << 24 | in[5] << 16 | in[6] << 8 | in[7];
        mtu = mtu > 0xffff + 20 ? 0xffff : mtu < 20 ? 0 : mtu - 20;
        out[6] = (unsigned char)(mtu >> 8);
        out[7] = (unsigned char)mtu;
    }
    put_checksum(out, 8 + (size_t)len, 2);
    return 8 + len;
}

long bia_icmp_to_v4(const unsigned char *in, size_t n, unsigned char *out,
                    const struct bia_icmp_v4view *view)
{
    unsigned char *msg = out + (view->raw ? IP4_HDR : 0);
    long len;

    if (n < 8)
        return -1;
    if (in[0] == ICMP6_ECHO_REQUEST || in[0] == ICMP6_ECHO_REPLY)
        len = echo(in, n, msg);
    else
        len = error(in, n, msg, view);
    if (len < 0 || !view->raw)
        return len;
    ip4_header(out, IP4_HDR + (size_t)len, 0, view->ttl, view->src, view->dst);
    return IP4_HDR + len;
}
