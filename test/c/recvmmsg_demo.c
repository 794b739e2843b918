/*
 * recvmmsg_demo HOST PORT: an IPv6-only UDP client that sends two
 * datagrams to HOST (resolved AF_INET6) and receives the echoes with
 * recvmmsg, IPV6_RECVPKTINFO on, printing for each message its source and
 * its control messages. Python has no recvmmsg; used by
 * test/e2e/ipv6-program-*.test.ts through bia run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#define N 2

static void show(const struct msghdr *m)
{
    const struct sockaddr_in6 *from = m->msg_name;
    char text[INET6_ADDRSTRLEN];

    printf("message from %s (family %d)", from->sin6_family == AF_INET6
           ? inet_ntop(AF_INET6, &from->sin6_addr, text, sizeof text) : "-", from->sin6_family);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR((struct msghdr *)m, c)) {
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo p;
            memcpy(&p, CMSG_DATA(c), sizeof p);
            printf(" pktinfo %s", inet_ntop(AF_INET6, &p.ipi6_addr, text, sizeof text));
        } else {
            printf(" cmsg %d/%d", c->cmsg_level, c->cmsg_type);
        }
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    struct addrinfo hints = {.ai_family = AF_INET6, .ai_socktype = SOCK_DGRAM}, *ai;
    struct timeval timeout = {.tv_sec = 3};
    struct sockaddr_in6 names[N];
    union { struct cmsghdr align; char bytes[128]; } control[N];
    char data[N][64];
    struct iovec iov[N];
    struct mmsghdr v[N];
    int s, on = 1, got = 0, r;

    if (argc != 3 || getaddrinfo(argv[1], argv[2], &hints, &ai)) {
        fprintf(stderr, "usage: recvmmsg_demo HOST PORT (resolvable as AF_INET6)\n");
        return 2;
    }
    s = socket(AF_INET6, SOCK_DGRAM, 0);
    if (s < 0 || setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) ||
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout)) {
        perror("socket");
        return 1;
    }
    for (int i = 0; i < N; i++)
        if (sendto(s, "ping\n", 5, 0, ai->ai_addr, ai->ai_addrlen) != 5) {
            perror("sendto");
            return 1;
        }
    while (got < N) {
        memset(v, 0, sizeof v);
        for (int i = 0; i < N; i++) {
            iov[i] = (struct iovec){data[i], sizeof data[i]};
            v[i].msg_hdr = (struct msghdr){.msg_name = &names[i], .msg_namelen = sizeof names[i],
                                           .msg_iov = &iov[i], .msg_iovlen = 1,
                                           .msg_control = control[i].bytes,
                                           .msg_controllen = sizeof control[i].bytes};
        }
        r = recvmmsg(s, v, N - got, MSG_WAITFORONE, NULL);
        if (r < 0) {
            perror("recvmmsg");
            return 1;
        }
        for (int i = 0; i < r; i++)
            show(&v[i].msg_hdr);
        got += r;
    }
    return 0;
}
