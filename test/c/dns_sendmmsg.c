/*
 * dns_sendmmsg SERVER NAME: sends two DNS questions for NAME, A and AAAA,
 * in one sendmmsg on an unconnected UDP socket of SERVER's family (an IPv4
 * or IPv6 literal, port 53), as a resolver that batches its questions
 * would, then prints each reply's source, question type and addresses.
 * Exits 0 when some reply named an address. Python has no sendmmsg; used
 * by test/e2e/own-dns-queries-sendmmsg.test.ts through bia run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#define T_A 1
#define T_AAAA 28

/* A query for name and type into q; its length, 0 if it does not fit. */
static size_t query(unsigned char *q, size_t cap, unsigned id, const char *name, unsigned type)
{
    size_t n = 12;

    memset(q, 0, 12);
    q[0] = (unsigned char)(id >> 8), q[1] = (unsigned char)id;
    q[2] = 1;    /* RD */
    q[5] = 1;    /* QDCOUNT */
    for (const char *l = name; *l;) {
        size_t len = strcspn(l, ".");
        if (len == 0 || len > 63 || n + len + 6 > cap)
            return 0;
        q[n++] = (unsigned char)len;
        memcpy(q + n, l, len);
        n += len;
        l += len + (l[len] == '.');
    }
    q[n++] = 0;
    q[n++] = 0, q[n++] = (unsigned char)type;
    q[n++] = 0, q[n++] = 1;    /* IN */
    return n;
}

/* Past a name at p (labels or a compression pointer); 0 if malformed. */
static size_t skip_name(const unsigned char *r, size_t n, size_t p)
{
    while (p < n && r[p]) {
        if ((r[p] & 0xc0) == 0xc0)
            return p + 2 <= n ? p + 2 : 0;
        p += 1 + r[p];
    }
    return p < n ? p + 1 : 0;
}

/* Prints the A and AAAA records of reply r; how many there were. */
static int answers(const unsigned char *r, size_t n)
{
    unsigned an = (unsigned)(r[6] << 8 | r[7]);
    char text[INET6_ADDRSTRLEN];
    size_t p = skip_name(r, n, 12);
    int found = 0;

    p = p ? p + 4 : 0;
    for (unsigned i = 0; p && i < an; i++) {
        unsigned type, len;
        p = skip_name(r, n, p);
        if (!p || p + 10 > n)
            break;
        type = (unsigned)(r[p] << 8 | r[p + 1]);
        len = (unsigned)(r[p + 8] << 8 | r[p + 9]);
        p += 10;
        if (p + len > n)
            break;
        if ((type == T_A && len == 4) || (type == T_AAAA && len == 16)) {
            printf(" %s", inet_ntop(type == T_A ? AF_INET : AF_INET6, r + p, text, sizeof text));
            found++;
        }
        p += len;
    }
    return found;
}

int main(int argc, char **argv)
{
    struct sockaddr_storage server = {0}, from;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&server;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&server;
    struct timeval timeout = {.tv_sec = 3};
    unsigned char q[2][300], r[1500];
    char text[INET6_ADDRSTRLEN];
    struct iovec iov[2];
    struct mmsghdr v[2];
    socklen_t len;
    int s, sent, found = 0;

    /* By its text: under bia an IPv6 literal also parses as IPv4 (its pool address). */
    if (argc == 3 && strchr(argv[1], ':') && inet_pton(AF_INET6, argv[1], &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6, s6->sin6_port = htons(53), len = sizeof *s6;
    } else if (argc == 3 && !strchr(argv[1], ':') && inet_pton(AF_INET, argv[1], &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET, s4->sin_port = htons(53), len = sizeof *s4;
    } else {
        fprintf(stderr, "usage: dns_sendmmsg SERVER NAME (SERVER an IP address)\n");
        return 2;
    }
    memset(v, 0, sizeof v);
    for (int i = 0; i < 2; i++) {
        iov[i].iov_base = q[i];
        iov[i].iov_len = query(q[i], sizeof q[i], 0x4100u + (unsigned)i, argv[2], i ? T_AAAA : T_A);
        v[i].msg_hdr = (struct msghdr){.msg_name = &server, .msg_namelen = len, .msg_iov = &iov[i], .msg_iovlen = 1};
    }
    s = socket(server.ss_family, SOCK_DGRAM, 0);
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout)) {
        perror("socket");
        return 1;
    }
    sent = sendmmsg(s, v, 2, 0);
    if (sent != 2) {
        perror("sendmmsg");
        return 1;
    }
    printf("sent %d, %u and %u bytes\n", sent, v[0].msg_len, v[1].msg_len);
    for (int i = 0; i < 2; i++) {
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(s, r, sizeof r, 0, (struct sockaddr *)&from, &flen);
        const void *a = from.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&from)->sin_addr
                                                  : (const void *)&((struct sockaddr_in6 *)&from)->sin6_addr;
        if (n < 12) {
            perror("recvfrom");
            return 1;
        }
        printf("reply %s from %s port %u:", r[1] == 0 ? "A" : "AAAA",
               inet_ntop(from.ss_family, a, text, sizeof text),
               ntohs(((struct sockaddr_in *)&from)->sin_port));
        found += answers(r, (size_t)n);
        printf("\n");
    }
    return found ? 0 : 1;
}
