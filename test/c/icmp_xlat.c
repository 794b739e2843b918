/*
 * The ICMP echo translation alone (preload/core/v4prog/icmpxlat.c): types,
 * codes, identifier, sequence, payload, checksums, the IPv4 header made up
 * for a raw socket and the inner header of an error, against hand-made
 * packets. Run by test/unit/icmp-xlat.test.ts.
 *
 * Build: cc -std=gnu11 -Ipreload/core preload/core/v4prog/icmpxlat.c \
 *           test/c/icmp_xlat.c -o icmp_xlat
 */
#include "v4prog/icmpxlat.h"

#include "check.h"

#include <arpa/inet.h>
#include <string.h>

static struct in_addr map(const struct in6_addr *a, bool local)
{
    struct in_addr v4;

    /* The test's stand-ins: 192.0.0.2 for this host, 198.18.0.<last byte> for a peer. */
    inet_pton(AF_INET, local ? "192.0.0.2" : "198.18.0.0", &v4);
    if (!local)
        v4.s_addr |= htonl(a->s6_addr[15]);
    return v4;
}

static bool sums_to_zero(const unsigned char *p, size_t n)
{
    return bia_icmp_checksum(p, n) == 0;
}

/* An echo reply from 2001:db8:1::2: id 0x1234, seq 7, payload "abcdefgh". */
static const unsigned char reply6[] = {129, 0, 0xde, 0xad, 0x12, 0x34, 0, 7, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};

static void echo_request(void)
{
    unsigned char req4[] = {8, 0, 0x55, 0x55, 0x12, 0x34, 0, 7, 'x', 'y', 'z'}, out[sizeof req4];
    unsigned char reply4[] = {0, 0, 0, 0, 1, 2, 0, 1};

    check(bia_icmp_request_to_v6(req4, sizeof req4, out) == 0 && out[0] == 128 && out[1] == 0 &&
          out[2] == 0 && out[3] == 0 && !memcmp(out + 4, req4 + 4, sizeof req4 - 4),
          "echo request 8 -> 128: id, sequence and payload kept, checksum left to the kernel");
    check(bia_icmp_request_to_v6(reply4, sizeof reply4, out) == -1, "an echo reply is not sent (EINVAL, as a ping socket)");
    req4[1] = 1;
    check(bia_icmp_request_to_v6(req4, sizeof req4, out) == -1, "an echo request with a code is not sent");
    check(bia_icmp_request_to_v6(req4, 7, out) == -1, "a short message is not sent");
}

static void echo_reply(void)
{
    unsigned char out[sizeof reply6 + 20];
    struct bia_icmp_v4view ping = {.map = map}, raw = {.raw = true, .ttl = 63, .map = map};
    long n;

    n = bia_icmp_to_v4(reply6, sizeof reply6, out, &ping);
    check(n == sizeof reply6 && out[0] == 0 && out[1] == 0 && !memcmp(out + 4, reply6 + 4, sizeof reply6 - 4) &&
          sums_to_zero(out, (size_t)n), "echo reply 129 -> 0 on a ping socket, with a right ICMPv4 checksum");
    inet_pton(AF_INET, "198.18.0.2", &raw.src);
    inet_pton(AF_INET, "192.0.0.2", &raw.dst);
    n = bia_icmp_to_v4(reply6, sizeof reply6, out, &raw);
    check(n == 20 + sizeof reply6 && out[0] == 0x45 && out[8] == 63 && out[9] == 1 &&
          ((out[2] << 8) | out[3]) == n && sums_to_zero(out, 20) &&
          !memcmp(out + 12, &raw.src, 4) && !memcmp(out + 16, &raw.dst, 4),
          "raw socket: an IPv4 header first (length, TTL, protocol 1, stand-in source, checksum)");
    check(out[20] == 0 && sums_to_zero(out + 20, sizeof reply6) && !memcmp(out + 24, reply6 + 4, sizeof reply6 - 4),
          "raw socket: the echo reply after it, checksum right");
}

/* An ICMPv6 error of type/code about our echo request to 2001:db8:1::2. */
static size_t error6(unsigned char *p, unsigned type, unsigned code, unsigned long mtu)
{
    unsigned char *ip6 = p + 8, *inner = p + 48;

    memset(p, 0, 64);
    p[0] = (unsigned char)type;
    p[1] = (unsigned char)code;
    p[4] = (unsigned char)(mtu >> 24), p[5] = (unsigned char)(mtu >> 16);
    p[6] = (unsigned char)(mtu >> 8), p[7] = (unsigned char)mtu;
    ip6[0] = 0x60;
    ip6[5] = 16;                 /* payload length */
    ip6[6] = 58;                 /* next header: ICMPv6 */
    ip6[7] = 1;                  /* hop limit */
    ip6[8] = 0x20, ip6[9] = 0x01, ip6[10] = 0x0d, ip6[11] = 0xb8, ip6[23] = 1;   /* source 2001:db8::1 */
    ip6[24] = 0x20, ip6[25] = 0x01, ip6[26] = 0x0d, ip6[27] = 0xb8, ip6[29] = 1, ip6[39] = 2;   /* 2001:db8:1::2 */
    inner[0] = 128;
    inner[4] = 0x12, inner[5] = 0x34, inner[7] = 9;
    return 64;
}

static void errors(void)
{
    struct bia_icmp_v4view ping = {.map = map};
    unsigned char in[64], out[84];
    struct in_addr src, dst;
    long n;

    n = bia_icmp_to_v4(in, error6(in, 1, 0, 0), out, &ping);
    inet_pton(AF_INET, "192.0.0.2", &src);
    inet_pton(AF_INET, "198.18.0.2", &dst);
    check(n == 8 + 20 + 16 && out[0] == 3 && out[1] == 1 && sums_to_zero(out, (size_t)n),
          "destination unreachable (no route) -> 3/1 host unreachable, 20 bytes shorter, checksum right");
    check(out[8] == 0x45 && out[17] == 1 && out[16] == 1 && ((out[10] << 8) | out[11]) == 36 &&
          sums_to_zero(out + 8, 20) && !memcmp(out + 20, &src, 4) && !memcmp(out + 24, &dst, 4),
          "its inner header: IPv4, TTL and length kept, protocol 1, this host and the peer's stand-in");
    check(out[28] == 8 && out[32] == 0x12 && out[33] == 0x34 && out[35] == 9,
          "its inner echo: type 8, identifier and sequence kept (ping matches the error by them)");
    n = bia_icmp_to_v4(in, error6(in, 1, 4, 0), out, &ping);
    check(n > 0 && out[0] == 3 && out[1] == 3, "port unreachable -> 3/3");
    n = bia_icmp_to_v4(in, error6(in, 1, 1, 0), out, &ping);
    check(n > 0 && out[0] == 3 && out[1] == 10, "administratively prohibited -> 3/10");
    n = bia_icmp_to_v4(in, error6(in, 3, 0, 0), out, &ping);
    check(n > 0 && out[0] == 11 && out[1] == 0 && sums_to_zero(out, (size_t)n), "time exceeded in transit -> 11/0");
    n = bia_icmp_to_v4(in, error6(in, 2, 0, 1280), out, &ping);
    check(n > 0 && out[0] == 3 && out[1] == 4 && ((out[6] << 8) | out[7]) == 1260,
          "packet too big (MTU 1280) -> 3/4 fragmentation needed, next-hop MTU 1260");
    n = bia_icmp_to_v4(in, error6(in, 4, 1, 0), out, &ping);
    check(n > 0 && out[0] == 3 && out[1] == 2, "parameter problem, unrecognized next header -> 3/2 protocol unreachable");
    check(bia_icmp_to_v4(in, error6(in, 4, 0, 0), out, &ping) == -1, "another parameter problem is dropped");
    check(bia_icmp_to_v4(in, error6(in, 1, 9, 0), out, &ping) == -1, "an unknown unreachable code is dropped");
    in[0] = 135;
    check(bia_icmp_to_v4(in, 32, out, &ping) == -1, "neighbour solicitation is dropped");
    error6(in, 1, 0, 0);
    in[8 + 6] = 17;
    check(bia_icmp_to_v4(in, 64, out, &ping) == -1, "an error about something else than an echo is dropped");
    check(bia_icmp_to_v4(in, 40, out, &ping) == -1, "an error cut inside its inner header is dropped");
}

int main(void)
{
    echo_request();
    echo_reply();
    errors();
    return report();
}
