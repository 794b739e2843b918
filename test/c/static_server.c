#define _GNU_SOURCE
/*
 * An IPv4-only server for the supervisor's tests, built with gcc -static:
 *   static_server [-u] PORT
 * binds an AF_INET socket to 0.0.0.0:PORT and serves one client: TCP
 * (accept4) greets it; -u (UDP) answers its datagram with sendto. Prints
 * the client's address as accept/recvfrom, getpeername and getsockname
 * give it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void show(const char *what, const struct sockaddr_in *a, socklen_t len)
{
    char text[INET_ADDRSTRLEN] = "?";

    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    printf("%s family %s len %u addr %s\n", what, a->sin_family == AF_INET ? "inet" : "other", (unsigned)len, text);
}

int main(int argc, char **argv)
{
    int udp = argc > 2 && !strcmp(argv[1], "-u"), one = 1, fd, c;
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[argc - 1]))}, peer;
    socklen_t len = sizeof peer;
    char buf[256];
    ssize_t n;

    setvbuf(stdout, NULL, _IOLBF, 0);
    fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&any, sizeof any) || (!udp && listen(fd, 4)))
        return printf("bind error %s\n", strerror(errno)), 1;
    printf("listening\n");
    if (udp) {
        n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &len);
        if (n < 0)
            return printf("recvfrom error %s\n", strerror(errno)), 1;
        show("received from", &peer, len);
        printf("answered %zd\n", sendto(fd, "pong\n", 5, 0, (struct sockaddr *)&peer, len));
        return 0;
    }
    c = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    if (c < 0)
        return printf("accept error %s\n", strerror(errno)), 1;
    show("accepted", &peer, len);
    len = sizeof peer;
    getpeername(c, (struct sockaddr *)&peer, &len);
    show("peername", &peer, len);
    len = sizeof peer;
    getsockname(c, (struct sockaddr *)&peer, &len);
    show("sockname", &peer, len);
    printf("sent %zd\n", write(c, "hello from the static server\n", 29));
    close(c);
    return 0;
}
