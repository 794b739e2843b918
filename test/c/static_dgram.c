/*
 * An IPv4-only UDP client for the supervisor's tests, built with
 * gcc -static or musl-gcc -static (no preload reaches it):
 *   static_dgram [-m] HOST PORT
 * resolves HOST with getaddrinfo (AF_INET: musl's own resolver for a
 * name), sends "ping" from an unconnected AF_INET socket with sendto (-m:
 * sendmsg), and reads the answer with recvfrom (-m: recvmsg), printing
 * where it came from; then reads a second answer with a 4-byte address
 * buffer, printing what the kernel's rules leave in it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int use_msg;

static ssize_t send_to(int fd, const char *text, const struct sockaddr_in *to)
{
    struct iovec iov = {(void *)text, strlen(text)};
    struct msghdr m = {.msg_name = (void *)to, .msg_namelen = sizeof *to, .msg_iov = &iov, .msg_iovlen = 1};

    return use_msg ? sendmsg(fd, &m, 0) : sendto(fd, text, strlen(text), 0, (const struct sockaddr *)to, sizeof *to);
}

static ssize_t receive(int fd, char *buf, size_t size, struct sockaddr_in *from, socklen_t *len)
{
    struct iovec iov = {buf, size};
    struct msghdr m = {.msg_name = from, .msg_namelen = *len, .msg_iov = &iov, .msg_iovlen = 1};
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ssize_t n;

    if (poll(&p, 1, 5000) != 1)
        return errno = ETIMEDOUT, -1;
    if (!use_msg)
        return recvfrom(fd, buf, size, 0, (struct sockaddr *)from, len);
    n = recvmsg(fd, &m, 0);
    *len = m.msg_namelen;
    return n;
}

int main(int argc, char **argv)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *ai;
    struct sockaddr_in to, from;
    socklen_t len = sizeof from;
    char text[INET_ADDRSTRLEN], buf[256];
    int fd, opt, rc;
    ssize_t n;

    while ((opt = getopt(argc, argv, "m")) != -1)
        use_msg = opt == 'm';
    if (argc - optind != 2)
        return fprintf(stderr, "usage: static_dgram [-m] HOST PORT\n"), 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    rc = getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai);
    if (rc)
        return printf("resolve error %s\n", gai_strerror(rc)), 1;
    memcpy(&to, ai->ai_addr, sizeof to);
    freeaddrinfo(ai);
    printf("resolved %s\n", inet_ntop(AF_INET, &to.sin_addr, text, sizeof text));
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (send_to(fd, "ping\n", &to) < 0)
        return printf("send error %s\n", strerror(errno)), 1;
    n = receive(fd, buf, sizeof buf - 1, &from, &len);
    if (n < 0)
        return printf("receive error %s\n", strerror(errno)), 1;
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    printf("reply %s from %s port %u len %u family %s\n", buf, inet_ntop(AF_INET, &from.sin_addr, text, sizeof text),
           ntohs(from.sin_port), (unsigned)len, from.sin_family == AF_INET ? "inet" : "other");
    /* A short buffer: the kernel copies 4 bytes and reports the full 16. */
    memset(&from, 0xaa, sizeof from);
    len = 4;
    send_to(fd, "again\n", &to);
    n = receive(fd, buf, sizeof buf - 1, &from, &len);
    printf("short len %u family %s port %u rest untouched %s\n", (unsigned)len,
           from.sin_family == AF_INET ? "inet" : "other", ntohs(from.sin_port),
           from.sin_addr.s_addr == 0xaaaaaaaa ? "yes" : "no");
    close(fd);
    return n < 0;
}
