/*
 * The mirror ICMP echo translation alone (preload/core/v6prog/icmp6xlat.c):
 * an IPv6 program's echo request to ICMPv4, and ICMPv4 echo replies and
 * errors to ICMPv6 (types, codes, identifier, sequence, payload, ICMPv4
 * and ICMPv6 checksums, an error's inner header, the MTU, IP_RECVERR's
 * extended error, ICMP6_FILTER as ICMP_FILTER), against hand-made packets.
 * Run by test/unit/icmp6-xlat.test.ts.
 *
 * Build: cc -std=gnu11 -Ipreload/core preload/core/v4prog/icmpxlat.c \
 *           preload/core/v6prog/icmp6xlat.c test/c/icmp6_xlat.c -o icmp6_xlat
 */
#include "v4prog/icmpxlat.h"
#include "v6prog/icmp6xlat.h"

#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/ip_icmp.h>
#include <string.h>

/* The test's synthesized addresses: 64:ff9b::a.b.c.d. */
static struct in6_addr map(struct in_addr a)
{
    struct in6_addr out;

    inet_pton(AF_INET6, "64:ff9b::", &out);
    memcpy(out.s6_addr + 12, &a, 4);
    return out;
}

/* Whether an ICMPv6 message's checksum is right for src -> dst. */
static bool sums6(const unsigned char *msg, size_t n, const struct in6_addr *src,
                  const struct in6_addr *dst)
{
    unsigned char buf[512] = {0};

    memcpy(buf, src, 16);
    memcpy(buf + 16, dst, 16);
    buf[34] = (unsigned char)(n >> 8);
    buf[35] = (unsigned char)n;
    buf[39] = IPPROTO_ICMPV6;
    memcpy(buf + 40, msg, n);
    return bia_icmp_checksum(buf, 40 + n) == 0;
}

/* An echo reply from 198.51.100.2: id 0x1234, seq 7, payload "abcdefgh". */
static const unsigned char reply4[] = {0, 0, 0, 0, 0x12, 0x34, 0, 7, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};

static struct bia_icmp6_view view(void)
{
    struct bia_icmp6_view v = {.map = map};

    v.src = map((struct in_addr){inet_addr("198.51.100.2")});
    v.dst = map((struct in_addr){inet_addr("198.51.100.1")});
    return v;
}

static void echo_request(void)
{
    unsigned char req6[] = {128, 0, 0x55, 0x55, 0x12, 0x34, 0, 7, 'x', 'y', 'z'}, out[sizeof req6];
    unsigned char reply6[] = {129, 0, 0, 0, 1, 2, 0, 1};

    check(bia_icmp6_request_to_v4(req6, sizeof req6, out) == 0 && out[0] == 8 && out[1] == 0 &&
          !memcmp(out + 4, req6 + 4, sizeof req6 - 4) && bia_icmp_checksum(out, sizeof out) == 0,
          "echo request 128 -> 8: id, sequence and payload kept, ICMPv4 checksum computed");
    check(bia_icmp6_request_to_v4(reply6, sizeof reply6, out) == -1, "an echo reply is not sent (EINVAL, as a ping socket)");
    req6[1] = 1;
    check(bia_icmp6_request_to_v4(req6, sizeof req6, out) == -1, "an echo request with a code is not sent");
    check(bia_icmp6_request_to_v4(req6, 7, out) == -1, "a short message is not sent");
}

static void echo_reply(void)
{
    struct bia_icmp6_view v = view();
    unsigned char out[sizeof reply4 + 20];
    long n = bia_icmp6_from_v4(reply4, sizeof reply4, out, &v);

    check(n == sizeof reply4 && out[0] == 129 && out[1] == 0 && !memcmp(out + 4, reply4 + 4, sizeof reply4 - 4),
          "echo reply 0 -> 129: id, sequence and payload kept");
    check(sums6(out, (size_t)n, &v.src, &v.dst), "its ICMPv6 checksum covers the synthesized addresses");
    unsigned char redirect[] = {5, 1, 0, 0, 198, 51, 100, 9};
    check(bia_icmp6_from_v4(redirect, sizeof redirect, out, &v) == -1, "a redirect has no ICMPv6 form: dropped");
}

/* An ICMPv4 error of type/code about an echo request from 198.51.100.1 to
 * 203.0.113.1 (ttl 1, id 0x1234, seq 1), written to e; its length. */
static size_t error4(unsigned char *e, unsigned char type, unsigned char code, unsigned mtu)
{
    const unsigned char inner[] = {0x45, 0, 0, 84, 0, 0, 0x40, 0, 1, 1, 0, 0, 198, 51, 100, 1,
                                   203, 0, 113, 1, 8, 0, 0xab, 0xcd, 0x12, 0x34, 0, 1};

    memset(e, 0, 8);
    e[0] = type;
    e[1] = code;
    e[6] = (unsigned char)(mtu >> 8);
    e[7] = (unsigned char)mtu;
    memcpy(e + 8, inner, sizeof inner);
    return 8 + sizeof inner;
}

static void errors(void)
{
    struct bia_icmp6_view v = view();
    unsigned char e[64], out[96];
    struct in6_addr src, dst;
    size_t n = error4(e, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0);
    long len = bia_icmp6_from_v4(e, n, out, &v);

    memcpy(&src, out + 8 + 8, 16);
    memcpy(&dst, out + 8 + 24, 16);
    check(len == (long)n + 20 && out[0] == 1 && out[1] == 1, "administratively prohibited 3/13 -> 1/1, 20 bytes longer");
    check(out[8] >> 4 == 6 && out[8 + 6] == IPPROTO_ICMPV6 && out[8 + 7] == 1 && out[8 + 4] == 0 && out[8 + 5] == 64,
          "its inner header IPv6: next header 58, hop limit 1, payload length 64");
    check(src.s6_addr[12] == 198 && dst.s6_addr[12] == 203 && dst.s6_addr[15] == 1,
          "inner addresses synthesized (this host, the peer)");
    check(out[48] == 128 && out[52] == 0x12 && out[53] == 0x34 && out[55] == 1, "inner echo 8 -> 128, id and sequence kept");
    check(sums6(out, (size_t)len, &v.src, &v.dst), "the error's ICMPv6 checksum is right");
    len = bia_icmp6_from_v4(e, error4(e, ICMP_TIME_EXCEEDED, 0, 0), out, &v);
    check(len > 0 && out[0] == 3 && out[1] == 0, "time exceeded 11/0 -> 3/0");
    len = bia_icmp6_from_v4(e, error4(e, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0), out, &v);
    check(len > 0 && out[0] == 1 && out[1] == 4, "port unreachable 3/3 -> 1/4");
    len = bia_icmp6_from_v4(e, error4(e, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0), out, &v);
    check(len > 0 && out[0] == 1 && out[1] == 0, "host unreachable 3/1 -> 1/0");
    len = bia_icmp6_from_v4(e, error4(e, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400), out, &v);
    check(len > 0 && out[0] == 2 && out[1] == 0 && out[6] == 1420 >> 8 && out[7] == (1420 & 0xff),
          "fragmentation needed 3/4 -> packet too big, MTU 20 bytes larger");
    len = bia_icmp6_from_v4(e, error4(e, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 576), out, &v);
    check(len > 0 && out[6] == 1280 >> 8 && out[7] == 0, "... and never below 1280");
    check(bia_icmp6_from_v4(e, error4(e, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0), out, &v) == -1,
          "protocol unreachable (a pointer needed) is dropped");
    check(bia_icmp6_from_v4(e, 8 + 20 + 7, out, &v) == -1, "an error without its inner echo's header is dropped");
    e[8 + 9] = IPPROTO_UDP;
    check(bia_icmp6_from_v4(e, n, out, &v) == -1, "an error about something other than an echo is dropped");
}

static void extended_error(void)
{
    struct sock_extended_err ee = {.ee_errno = EHOSTUNREACH, .ee_origin = SO_EE_ORIGIN_ICMP,
                                   .ee_type = ICMP_DEST_UNREACH, .ee_code = ICMP_PKT_FILTERED};

    bia_icmp6_ee_from_v4(&ee);
    check(ee.ee_origin == SO_EE_ORIGIN_ICMP6 && ee.ee_type == 1 && ee.ee_code == 1 && ee.ee_errno == EACCES,
          "IP_RECVERR's administratively prohibited -> ICMPv6's, errno EACCES as the kernel gives it");
    ee = (struct sock_extended_err){.ee_errno = EMSGSIZE, .ee_origin = SO_EE_ORIGIN_ICMP,
                                    .ee_type = ICMP_DEST_UNREACH, .ee_code = ICMP_FRAG_NEEDED, .ee_info = 1400};
    bia_icmp6_ee_from_v4(&ee);
    check(ee.ee_type == 2 && ee.ee_info == 1420 && ee.ee_errno == EMSGSIZE, "fragmentation needed -> packet too big, MTU in IPv6 terms");
    ee = (struct sock_extended_err){.ee_errno = EHOSTUNREACH, .ee_origin = SO_EE_ORIGIN_ICMP, .ee_type = 5};
    bia_icmp6_ee_from_v4(&ee);
    check(ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == 5, "one without an ICMPv6 form is left alone");
}

static void filter(void)
{
    struct icmp6_filter f;
    uint32_t blocked;

    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
    ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
    blocked = bia_icmp6_filter_to_v4(&f);
    check(!(blocked & 1u << ICMP_ECHOREPLY) && !(blocked & 1u << ICMP_DEST_UNREACH) &&
          (blocked & 1u << ICMP_TIME_EXCEEDED) && (blocked & 1u << ICMP_ECHO) && (blocked & 1u << ICMP_REDIRECT),
          "ICMP6_FILTER -> ICMP_FILTER: a type passes when one it becomes passes; the rest blocked");
}

int main(void)
{
    echo_request();
    echo_reply();
    errors();
    extended_error();
    filter();
    return report();
}
