/*
 * Messages are rewritten one by one through a small local copy: an output
 * message never starts after the input one it replaces, so the receive
 * direction can compact the program's buffer in place.
 */
#define _GNU_SOURCE /* struct in6_pktinfo */
#include "v4prog/cmsg.h"

#include "runtime/sockaddr.h"
#include "v4prog/inbound.h"
#include "v4prog/route.h"
#include "v6prog/icmp6xlat.h"

#include <errno.h>
#include <time.h>   /* before linux/errqueue.h, which uses struct timespec (musl's headers do not bring it) */
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <stddef.h>
#include <string.h>

/* Large enough for any message translated here (IPV6_RECVERR is the largest). */
#define SMALL 128

struct rewrite {
    int level, type;
    unsigned char data[SMALL];
    size_t len;
};

static int get_int(const struct cmsghdr *c)
{
    int v;

    memcpy(&v, CMSG_DATA(c), sizeof v);
    return v;
}

static size_t data_len(const struct cmsghdr *c)
{
    return c->cmsg_len - CMSG_LEN(0);
}

static void put_int(struct rewrite *r, int level, int type, int v)
{
    r->level = level;
    r->type = type;
    memcpy(r->data, &v, sizeof v);
    r->len = sizeof v;
}

/* ICMPv6 error type/code in ICMPv4 terms (RFC 7915 section 5.2). */
static void icmp6_to_icmp(struct sock_extended_err *ee)
{
    static const unsigned char unreach[] = {ICMP_HOST_UNREACH, ICMP_HOST_ANO, ICMP_HOST_UNREACH,
                                            ICMP_HOST_UNREACH, ICMP_PORT_UNREACH};
    unsigned char type = ee->ee_type, code = ee->ee_code;

    ee->ee_origin = SO_EE_ORIGIN_ICMP;
    if (type == ICMP6_DST_UNREACH) {
        ee->ee_type = ICMP_DEST_UNREACH;
        ee->ee_code = code < sizeof unreach ? unreach[code] : ICMP_HOST_UNREACH;
    } else if (type == ICMP6_PACKET_TOO_BIG) {
        ee->ee_type = ICMP_DEST_UNREACH;
        ee->ee_code = ICMP_FRAG_NEEDED;
    } else if (type == ICMP6_TIME_EXCEEDED) {
        ee->ee_type = ICMP_TIME_EXCEEDED;
    } else if (type == ICMP6_PARAM_PROB) {
        ee->ee_type = ICMP_PARAMETERPROB;
        ee->ee_code = 0;
    }
}

static bool recverr_to_v4(const struct cmsghdr *c, struct rewrite *r, bool over_v6)
{
    struct sock_extended_err ee;
    struct sockaddr_in6 off6;
    struct sockaddr_in off4 = {0};

    if (data_len(c) < sizeof ee + sizeof off6)
        return false;
    memcpy(&ee, CMSG_DATA(c), sizeof ee);
    memcpy(&off6, CMSG_DATA(c) + sizeof ee, sizeof off6);
    if (ee.ee_origin == SO_EE_ORIGIN_ICMP6)
        icmp6_to_icmp(&ee);
    /* An IPv6 path's MTU in IPv4 terms: its header is 20 bytes larger
     * (RFC 7915 5.2). A program sizing its datagrams by it (tracepath)
     * would otherwise never fit. */
    if (over_v6 && ee.ee_errno == EMSGSIZE && ee.ee_info > 20)
        ee.ee_info -= 20;
    if (off6.sin6_family == AF_INET6) {
        off4.sin_family = AF_INET;
        off4.sin_addr = bia_inbound_v4(&off6.sin6_addr);
    }
    r->level = IPPROTO_IP;
    r->type = IP_RECVERR;
    memcpy(r->data, &ee, sizeof ee);
    memcpy(r->data + sizeof ee, &off4, sizeof off4);
    r->len = sizeof ee + sizeof off4;
    return true;
}

static bool pktinfo_to_v4(const struct cmsghdr *c, struct rewrite *r)
{
    struct in6_pktinfo p6;
    struct in_pktinfo p4;

    if (data_len(c) < sizeof p6)
        return false;
    memcpy(&p6, CMSG_DATA(c), sizeof p6);
    p4.ipi_ifindex = (int)p6.ipi6_ifindex;
    p4.ipi_addr = bia_inbound_local_v4(&p6.ipi6_addr);
    p4.ipi_spec_dst = p4.ipi_addr;
    r->level = IPPROTO_IP;
    r->type = IP_PKTINFO;
    memcpy(r->data, &p4, sizeof p4);
    r->len = sizeof p4;
    return true;
}

/* The IPv4 form of an IPv6-level message; false to keep it as it is. */
static bool to_v4(const struct cmsghdr *c, struct rewrite *r, bool over_v6)
{
    if (c->cmsg_level != IPPROTO_IPV6)
        return false;
    switch (c->cmsg_type) {
    case IPV6_PKTINFO:
        return pktinfo_to_v4(c, r);
    case IPV6_TCLASS:
        if (data_len(c) < sizeof(int))
            return false;
        /* The kernel gives IP_TOS as one byte. */
        r->level = IPPROTO_IP;
        r->type = IP_TOS;
        r->data[0] = (unsigned char)get_int(c);
        r->len = 1;
        return true;
    case IPV6_HOPLIMIT:
        if (data_len(c) < sizeof(int))
            return false;
        put_int(r, IPPROTO_IP, IP_TTL, get_int(c));
        return true;
    case IPV6_RECVERR:
        return recverr_to_v4(c, r, over_v6);
    }
    return false;
}

static bool has_ip_pktinfo(struct msghdr *msg)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
            return true;
    return false;
}

/* Writes one message at out; returns the space it takes. */
static size_t emit(unsigned char *out, int level, int type, const void *data, size_t len)
{
    struct cmsghdr h = {.cmsg_len = CMSG_LEN(len), .cmsg_level = level, .cmsg_type = type};

    memmove(out + CMSG_LEN(0), data, len);
    memcpy(out, &h, sizeof h);
    return CMSG_SPACE(len);
}

void bia_cmsg_to_v4(struct msghdr *msg, bool over_v6)
{
    unsigned char *out = msg->msg_control, *end = out + msg->msg_controllen;
    struct cmsghdr *c, *next;
    bool have_ip_pktinfo;
    size_t used = 0;
    struct rewrite r;

    if (!out || msg->msg_controllen < sizeof(struct cmsghdr))
        return;
    have_ip_pktinfo = has_ip_pktinfo(msg);
    for (c = CMSG_FIRSTHDR(msg); c; c = next) {
        if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > (size_t)(end - (unsigned char *)c)) {
            /* Cut short by MSG_CTRUNC: keep the rest as the kernel left it. */
            memmove(out + used, c, (size_t)(end - (unsigned char *)c));
            used += (size_t)(end - (unsigned char *)c);
            break;
        }
        next = CMSG_NXTHDR(msg, c);     /* before c is overwritten */
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO && have_ip_pktinfo)
            continue;   /* an IPv4 sender: the kernel already gave IP_PKTINFO */
        if (to_v4(c, &r, over_v6))
            used += emit(out + used, r.level, r.type, r.data, r.len);
        else
            used += emit(out + used, c->cmsg_level, c->cmsg_type, CMSG_DATA(c), data_len(c));
    }
    msg->msg_controllen = used > msg->msg_controllen ? msg->msg_controllen : used;
}

/* The address at p (unaligned) as v6prog shows it. */
static void addr_out(unsigned char *p, const struct bia_v6prog *state)
{
    struct in6_addr a;

    memcpy(&a, p, sizeof a);
    bia_v6prog_addr_out(state, &a);
    memcpy(p, &a, sizeof a);
}

/* The address field of a sockaddr_in6 at p, if it is one. */
static void sin6_out(unsigned char *p, const struct bia_v6prog *state)
{
    sa_family_t family;

    memcpy(&family, p + offsetof(struct sockaddr_in6, sin6_family), sizeof family);
    if (family == AF_INET6)
        addr_out(p + offsetof(struct sockaddr_in6, sin6_addr), state);
}

/* An ICMPv4 error about a datagram that left as IPv4 (v6opts.h) as
 * ICMPv6 reports it. A local one (a path MTU) keeps the IPv4 figure,
 * 20 bytes on the safe side. */
static void recverr_v6prog(unsigned char *p)
{
    struct sock_extended_err ee;

    memcpy(&ee, p, sizeof ee);
    bia_icmp6_ee_from_v4(&ee);
    memcpy(p, &ee, sizeof ee);
}

void bia_cmsg_v6prog(struct msghdr *msg, const struct bia_v6prog *state)
{
    unsigned char *end = (unsigned char *)msg->msg_control + msg->msg_controllen;
    const size_t err = sizeof(struct sock_extended_err);

    if (!msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
        return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_len < CMSG_LEN(0) || c->cmsg_len > (size_t)(end - (unsigned char *)c))
            return;     /* cut short by MSG_CTRUNC */
        /* The TTL of a datagram that came over IPv4 (IP_RECVTTL, set for
         * IPV6_RECVHOPLIMIT by v6opts.h), as its hop limit. */
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL && data_len(c) >= sizeof(int)) {
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_HOPLIMIT;
        }
        if (c->cmsg_level != IPPROTO_IPV6)
            continue;
        if (c->cmsg_type == IPV6_PKTINFO && data_len(c) >= sizeof(struct in6_pktinfo))
            addr_out(CMSG_DATA(c) + offsetof(struct in6_pktinfo, ipi6_addr), state);
        else if (c->cmsg_type == IPV6_RECVERR && data_len(c) >= err + sizeof(struct sockaddr_in6)) {
            recverr_v6prog(CMSG_DATA(c));
            sin6_out(CMSG_DATA(c) + err, state);
        }
        else if (c->cmsg_type == IPV6_ORIGDSTADDR && data_len(c) >= sizeof(struct sockaddr_in6))
            sin6_out(CMSG_DATA(c), state);
    }
}

/* An IPv4 address as the IPv6 program sees it. */
static struct in6_addr shown(struct in_addr v4, const struct bia_v6prog *state)
{
    struct sockaddr_in6 a;

    bia_sin6_mapped(&a, v4, 0);
    bia_v6prog_addr_out(state, &a.sin6_addr);
    return a.sin6_addr;
}

static bool recverr_from_v4(const struct cmsghdr *c, const struct bia_v6prog *state,
                            struct rewrite *r)
{
    struct sock_extended_err ee;
    struct sockaddr_in off4;
    struct sockaddr_in6 off6 = {0};

    if (data_len(c) < sizeof ee + sizeof off4)
        return false;
    memcpy(&ee, CMSG_DATA(c), sizeof ee);
    memcpy(&off4, CMSG_DATA(c) + sizeof ee, sizeof off4);
    /* An IPv4 ICMP error keeps its origin and type, as on a dual-stack
     * socket; an ICMPv6 echo socket's is ICMPv6's (icmp6echo.h). */
    if (state->icmp)
        bia_icmp6_ee_from_v4(&ee);
    if (off4.sin_family == AF_INET) {
        off6.sin6_family = AF_INET6;
        off6.sin6_addr = shown(off4.sin_addr, state);
    }
    r->level = IPPROTO_IPV6;
    r->type = IPV6_RECVERR;
    memcpy(r->data, &ee, sizeof ee);
    memcpy(r->data + sizeof ee, &off6, sizeof off6);
    r->len = sizeof ee + sizeof off6;
    return true;
}

/* The IPv6 form of an IPv4-level message on a stand-in socket. */
static bool from_v4(const struct cmsghdr *c, const struct bia_v6prog *state, struct rewrite *r)
{
    struct in_pktinfo p4;
    struct in6_pktinfo p6;

    if (c->cmsg_level != IPPROTO_IP)
        return false;
    if (c->cmsg_type == IP_TOS && data_len(c) >= 1) {
        put_int(r, IPPROTO_IPV6, IPV6_TCLASS, CMSG_DATA(c)[0]);
        return true;
    }
    if (c->cmsg_type == IP_TTL && data_len(c) >= sizeof(int)) {
        put_int(r, IPPROTO_IPV6, IPV6_HOPLIMIT, get_int(c));
        return true;
    }
    if (c->cmsg_type == IP_RECVERR)
        return recverr_from_v4(c, state, r);
    if (c->cmsg_type != IP_PKTINFO || data_len(c) < sizeof p4)
        return false;
    memcpy(&p4, CMSG_DATA(c), sizeof p4);
    p6.ipi6_ifindex = (unsigned)p4.ipi_ifindex;
    p6.ipi6_addr = shown(p4.ipi_addr, state);
    r->level = IPPROTO_IPV6;
    r->type = IPV6_PKTINFO;
    memcpy(r->data, &p6, sizeof p6);
    r->len = sizeof p6;
    return true;
}

void bia_cmsg_from_v4(const struct msghdr *kernel, struct msghdr *msg,
                      const struct bia_v6prog *state)
{
    struct msghdr k = *kernel;
    unsigned char *out = msg->msg_control;
    size_t used = 0;
    struct rewrite r;

    for (struct cmsghdr *c = CMSG_FIRSTHDR(&k); c; c = CMSG_NXTHDR(&k, c)) {
        bool changed = from_v4(c, state, &r);
        size_t len = changed ? r.len : data_len(c);
        if (used + CMSG_SPACE(len) > msg->msg_controllen) {
            msg->msg_flags |= MSG_CTRUNC;   /* as the kernel does when they do not fit */
            break;
        }
        used += changed ? emit(out + used, r.level, r.type, r.data, r.len)
                        : emit(out + used, c->cmsg_level, c->cmsg_type, CMSG_DATA(c), len);
    }
    msg->msg_controllen = used;
}

static bool to_v6(const struct cmsghdr *c, struct rewrite *r)
{
    struct in_pktinfo p4;
    struct in6_pktinfo p6 = {0};
    struct in6_addr v6;
    int err;

    if (c->cmsg_level != IPPROTO_IP)
        return false;
    if (c->cmsg_type == IP_TOS && data_len(c) >= 1) {
        put_int(r, IPPROTO_IPV6, IPV6_TCLASS, data_len(c) >= sizeof(int) ? get_int(c) : CMSG_DATA(c)[0]);
        return true;
    }
    if (c->cmsg_type == IP_TTL && data_len(c) >= sizeof(int)) {
        put_int(r, IPPROTO_IPV6, IPV6_HOPLIMIT, get_int(c));
        return true;
    }
    if (c->cmsg_type != IP_PKTINFO || data_len(c) < sizeof p4)
        return false;
    memcpy(&p4, CMSG_DATA(c), sizeof p4);
    p6.ipi6_ifindex = (unsigned)p4.ipi_ifindex;
    /* A source address that stands for an IPv6 one; else the kernel picks. */
    if (p4.ipi_spec_dst.s_addr != htonl(INADDR_ANY) &&
        bia_route_v4(p4.ipi_spec_dst, &v6, &err) == BIA_ROUTE_V6)
        p6.ipi6_addr = v6;
    r->level = IPPROTO_IPV6;
    r->type = IPV6_PKTINFO;
    memcpy(r->data, &p6, sizeof p6);
    r->len = sizeof p6;
    return true;
}

long bia_cmsg_to_v6(const struct msghdr *msg, void *out, size_t size)
{
    struct msghdr m = *msg;
    size_t used = 0;
    struct rewrite r;

    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        bool changed = to_v6(c, &r);
        size_t len = changed ? r.len : data_len(c);
        if (used + CMSG_SPACE(len) > size)
            return -1;
        used += changed ? emit((unsigned char *)out + used, r.level, r.type, r.data, r.len)
                        : emit((unsigned char *)out + used, c->cmsg_level, c->cmsg_type,
                               CMSG_DATA(c), len);
    }
    return (long)used;
}
