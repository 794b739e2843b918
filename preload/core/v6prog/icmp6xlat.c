/*
 * Only what ping needs: echo request and reply, and the errors that can
 * come back for an echo (destination unreachable, fragmentation needed,
 * time exceeded). Other ICMPv4 messages (parameter problems, whose
 * pointer would need a table, redirects, timestamps) are dropped, as RFC
 * 7915 4.2 drops the informational ones it does not list.
 */
#include "v6prog/icmp6xlat.h"

#include "v4prog/icmpxlat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#define IP6_HDR 40
/* IPv6's minimum link MTU: no path MTU is reported below it (RFC 7915 4.2). */
#define IPV6_MIN_MTU 1280u

/* The ICMPv6 checksum of n bytes at msg (its checksum field 0), from src
 * to dst: the sum covers a pseudo-header (RFC 8200 8.1). */
static void put_checksum6(unsigned char *msg, size_t n, const struct in6_addr *src,
                          const struct in6_addr *dst)
{
    unsigned char pseudo[40] = {0};
    unsigned long sum = 0;
    unsigned short folded;

    memcpy(pseudo, src, 16);
    memcpy(pseudo + 16, dst, 16);
    pseudo[32] = (unsigned char)(n >> 24);
    pseudo[33] = (unsigned char)(n >> 16);
    pseudo[34] = (unsigned char)(n >> 8);
    pseudo[35] = (unsigned char)n;
    pseudo[39] = IPPROTO_ICMPV6;
    msg[2] = msg[3] = 0;
    /* Two one's-complement sums add as one (RFC 1071). */
    sum += (unsigned short)~ntohs(bia_icmp_checksum(pseudo, sizeof pseudo));
    sum += (unsigned short)~ntohs(bia_icmp_checksum(msg, n));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    folded = htons((unsigned short)~sum);
    memcpy(msg + 2, &folded, 2);
}

int bia_icmp6_request_to_v4(const unsigned char *in, size_t n, unsigned char *out)
{
    unsigned short sum;

    if (n < 8 || in[0] != ICMP6_ECHO_REQUEST || in[1] != 0)
        return -1;
    memcpy(out, in, n);
    out[0] = ICMP_ECHO;
    out[2] = out[3] = 0;
    sum = bia_icmp_checksum(out, n);
    memcpy(out + 2, &sum, 2);
    return 0;
}

bool bia_icmp6_error_type(unsigned char type4, unsigned char code4, unsigned char *type6,
                          unsigned char *code6, uint32_t *mtu)
{
    /* RFC 7915 4.2's table for destination unreachable codes 0..15;
     * 0xff: none (14, precedence; 2, protocol unreachable, needs a pointer). */
    static const unsigned char unreach[16] = {
        ICMP6_DST_UNREACH_NOROUTE, ICMP6_DST_UNREACH_NOROUTE, 0xff, ICMP6_DST_UNREACH_NOPORT,
        0xff, ICMP6_DST_UNREACH_NOROUTE, ICMP6_DST_UNREACH_NOROUTE, ICMP6_DST_UNREACH_NOROUTE,
        ICMP6_DST_UNREACH_NOROUTE, ICMP6_DST_UNREACH_ADMIN, ICMP6_DST_UNREACH_ADMIN,
        ICMP6_DST_UNREACH_NOROUTE, ICMP6_DST_UNREACH_NOROUTE, ICMP6_DST_UNREACH_ADMIN, 0xff,
        ICMP6_DST_UNREACH_ADMIN};

    if (type4 == ICMP_TIME_EXCEEDED && code4 <= 1) {
        *type6 = ICMP6_TIME_EXCEEDED;
        *code6 = code4;
        return true;
    }
    if (type4 != ICMP_DEST_UNREACH || code4 > 15)
        return false;
    if (code4 == ICMP_FRAG_NEEDED) {
        *type6 = ICMP6_PACKET_TOO_BIG;
        *code6 = 0;
        *mtu = *mtu + 20 < IPV6_MIN_MTU ? IPV6_MIN_MTU : *mtu + 20;
        return true;
    }
    *type6 = ICMP6_DST_UNREACH;
    *code6 = unreach[code4];
    return unreach[code4] != 0xff;
}

/* The errno of an ICMPv6 error, as the kernel's icmpv6_err_convert. */
static int error_errno(unsigned char type, unsigned char code)
{
    if (type == ICMP6_PACKET_TOO_BIG)
        return EMSGSIZE;
    if (type != ICMP6_DST_UNREACH)
        return EHOSTUNREACH;
    return code == ICMP6_DST_UNREACH_NOROUTE ? ENETUNREACH
         : code == ICMP6_DST_UNREACH_ADMIN ? EACCES
         : code == ICMP6_DST_UNREACH_NOPORT ? ECONNREFUSED : EHOSTUNREACH;
}

void bia_icmp6_ee_from_v4(struct sock_extended_err *ee)
{
    unsigned char type, code;
    uint32_t mtu = ee->ee_info;

    if (ee->ee_origin != SO_EE_ORIGIN_ICMP ||
        !bia_icmp6_error_type(ee->ee_type, ee->ee_code, &type, &code, &mtu))
        return;
    ee->ee_origin = SO_EE_ORIGIN_ICMP6;
    ee->ee_type = type;
    ee->ee_code = code;
    ee->ee_errno = (uint32_t)error_errno(type, code);
    ee->ee_info = type == ICMP6_PACKET_TOO_BIG ? mtu : 0;
}

/* Echo request or reply: type changed, everything else kept. */
static long echo(const unsigned char *in, size_t n, unsigned char *out, const struct in6_addr *src,
                 const struct in6_addr *dst)
{
    if (n < 8 || in[1] != 0)
        return -1;
    memcpy(out, in, n);
    out[0] = in[0] == ICMP_ECHOREPLY ? ICMP6_ECHO_REPLY : ICMP6_ECHO_REQUEST;
    put_checksum6(out, n, src, dst);
    return (long)n;
}

/* The echo an error is about (inner IPv4 header and what follows of it,
 * n bytes) as IPv6, written to out; its length, or -1. */
static long inner(const unsigned char *in, size_t n, unsigned char *out,
                  const struct bia_icmp6_view *view)
{
    struct ip6_hdr ip6 = {0};
    struct iphdr ip;
    size_t hl, total;

    if (n < sizeof ip)
        return -1;
    memcpy(&ip, in, sizeof ip);
    hl = (size_t)ip.ihl * 4;
    if (ip.version != 4 || hl < sizeof ip || n < hl + 8 || ip.protocol != IPPROTO_ICMP ||
        (in[hl] != ICMP_ECHO && in[hl] != ICMP_ECHOREPLY))
        return -1;
    total = ntohs(ip.tot_len);
    ip6.ip6_flow = htonl(6u << 28 | (uint32_t)ip.tos << 20);
    ip6.ip6_plen = htons((uint16_t)(total > hl ? total - hl : 0));
    ip6.ip6_nxt = IPPROTO_ICMPV6;
    ip6.ip6_hlim = ip.ttl;
    ip6.ip6_src = view->map((struct in_addr){ip.saddr});
    ip6.ip6_dst = view->map((struct in_addr){ip.daddr});
    /* The checksum covers only what came back: the program cannot check
     * it anyway, the original being cut. */
    if (echo(in + hl, n - hl, out + IP6_HDR, &ip6.ip6_src, &ip6.ip6_dst) < 0)
        return -1;
    memcpy(out, &ip6, IP6_HDR);
    return (long)(IP6_HDR + n - hl);
}

static long error(const unsigned char *in, size_t n, unsigned char *out,
                  const struct bia_icmp6_view *view)
{
    unsigned char type, code;
    uint32_t mtu = (uint32_t)in[6] << 8 | in[7];
    long len;

    if (!bia_icmp6_error_type(in[0], in[1], &type, &code, &mtu))
        return -1;
    len = inner(in + 8, n - 8, out + 8, view);
    if (len < 0)
        return -1;
    memset(out, 0, 8);
    out[0] = type;
    out[1] = code;
    if (type == ICMP6_PACKET_TOO_BIG) {
        out[4] = (unsigned char)(mtu >> 24);
        out[5] = (unsigned char)(mtu >> 16);
        out[6] = (unsigned char)(mtu >> 8);
        out[7] = (unsigned char)mtu;
    }
    put_checksum6(out, 8 + (size_t)len, &view->src, &view->dst);
    return 8 + len;
}

long bia_icmp6_from_v4(const unsigned char *in, size_t n, unsigned char *out,
                       const struct bia_icmp6_view *view)
{
    if (n < 8)
        return -1;
    if (in[0] == ICMP_ECHO || in[0] == ICMP_ECHOREPLY)
        return echo(in, n, out, &view->src, &view->dst);
    return error(in, n, out, view);
}

uint32_t bia_icmp6_filter_to_v4(const struct icmp6_filter *filter)
{
    uint32_t blocked = ~0u;

    if (!ICMP6_FILTER_WILLBLOCK(ICMP6_ECHO_REPLY, filter))
        blocked &= ~(1u << ICMP_ECHOREPLY);
    if (!ICMP6_FILTER_WILLBLOCK(ICMP6_ECHO_REQUEST, filter))
        blocked &= ~(1u << ICMP_ECHO);
    if (!ICMP6_FILTER_WILLBLOCK(ICMP6_DST_UNREACH, filter) ||
        !ICMP6_FILTER_WILLBLOCK(ICMP6_PACKET_TOO_BIG, filter))
        blocked &= ~(1u << ICMP_DEST_UNREACH);
    if (!ICMP6_FILTER_WILLBLOCK(ICMP6_TIME_EXCEEDED, filter))
        blocked &= ~(1u << ICMP_TIME_EXCEEDED);
    return blocked;
}
