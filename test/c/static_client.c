/*
 * An IPv4-only TCP client for the supervisor's tests, built with
 * gcc -static (or musl-gcc -static): no dynamic loader, so no preload.
 *   static_client [-n] [-f] [-u [-r ADDR2]] [-s] [-o] [-b] [-l COUNT] ADDR PORT
 * connects an AF_INET socket to ADDR:PORT (-n: non-blocking, expecting
 * EINPROGRESS; -f: from a forked child; -l: COUNT times, 300 ms apart;
 * -u: UDP, sending a line and no more, then with -r connecting again to
 * ADDR2 and sending another; -s: getpeername with a short, a
 * negative and a bad length, printing what the kernel does with each, and
 * getsockname with a bad address; -o: options set before the connect,
 * read back after it; -b: bound to 0.0.0.0 first), prints the peer's first line, answers it, getpeername and
 * getsockname, or the connect's errno by name.
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *errno_name(int e)
{
    switch (e) {
    case 0: return "OK";
    case EINPROGRESS: return "EINPROGRESS";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ENETUNREACH: return "ENETUNREACH";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENOSYS: return "ENOSYS";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    default: return strerror(e);
    }
}

static void show(const char *what, int (*get)(int, struct sockaddr *, socklen_t *), int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char text[INET6_ADDRSTRLEN] = "?";

    if (get(fd, (struct sockaddr *)&ss, &len)) {
        printf("%s error %s\n", what, errno_name(errno));
        return;
    }
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, text, sizeof text);
    printf("%s family %s len %u addr %s port %u\n", what, ss.ss_family == AF_INET ? "inet" : "other", (unsigned)len,
           text, ntohs(((struct sockaddr_in *)&ss)->sin_port));
}

/* The connect's errno, after waiting for a non-blocking one to finish. */
static int connect_to(int fd, const struct sockaddr_in *to, int nonblock)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    socklen_t len = sizeof(int);
    int err;

    if (connect(fd, (const struct sockaddr *)to, sizeof *to) == 0)
        return 0;
    err = errno;
    printf("connect %s\n", errno_name(err));
    if (!nonblock || err != EINPROGRESS)
        return err;
    if (poll(&p, 1, 5000) != 1)
        return ETIMEDOUT;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    printf("nonblock %s\n", fcntl(fd, F_GETFL) & O_NONBLOCK ? "yes" : "no");
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return err;
}

static int udp, lengths, options, bound;

/* -o: options set before the connect, read back after it. */
static void set_options(int fd)
{
    int one = 1, idle = 77, rcvbuf = 65536;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
}

static void show_options(int fd)
{
    static const struct { int level, name; const char *text; } shown[] = {
        {IPPROTO_TCP, TCP_NODELAY, "nodelay"}, {SOL_SOCKET, SO_KEEPALIVE, "keepalive"},
        {IPPROTO_TCP, TCP_KEEPIDLE, "keepidle"}, {SOL_SOCKET, SO_RCVBUF, "rcvbuf"},
    };

    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        int v = -1;
        socklen_t len = sizeof v;

        getsockopt(fd, shown[i].level, shown[i].name, &v, &len);
        printf("option %s %d\n", shown[i].text, v);
    }
}
static const char *again;   /* -r: the UDP socket connects again, here */

/* The peer's first line (or what came before it closed): its length, or -1. */
static ssize_t read_line(int fd, struct pollfd *in, char *line, size_t size)
{
    size_t got = 0;
    ssize_t n = 0;

    while (got < size - 1 && !memchr(line, '\n', got) && poll(in, 1, 5000) == 1 &&
           (n = read(fd, line + got, size - 1 - got)) > 0)
        got += (size_t)n;
    line[got] = 0;
    return got ? (ssize_t)got : n < 0 ? -1 : 0;
}

/* What getpeername does with odd lengths: the same lines whichever socket. */
static void odd_lengths(int fd)
{
    unsigned char buf[32];
    socklen_t len = 8;
    int negative = -1, rc, untouched = 1;

    memset(buf, 0xaa, sizeof buf);
    rc = getpeername(fd, (struct sockaddr *)buf, &len);
    for (size_t i = 8; i < sizeof buf; i++)
        untouched &= buf[i] == 0xaa;
    printf("short rc %d len %u family %s rest untouched %s\n", rc, (unsigned)len,
           ((struct sockaddr_in *)buf)->sin_family == AF_INET ? "inet" : "other", untouched ? "yes" : "no");
    rc = getpeername(fd, (struct sockaddr *)buf, (socklen_t *)&negative);
    printf("negative rc %d %s\n", rc, errno_name(rc ? errno : 0));
    rc = getpeername(fd, (struct sockaddr *)buf, (socklen_t *)8);
    printf("bad length pointer rc %d %s\n", rc, errno_name(rc ? errno : 0));
    len = sizeof buf;
    rc = getsockname(fd, (struct sockaddr *)8, &len);
    printf("bad address rc %d %s\n", rc, errno_name(rc ? errno : 0));
}

static int once(const struct sockaddr_in *to, int nonblock)
{
    int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | (nonblock ? SOCK_NONBLOCK : 0), 0), err;
    struct pollfd in = {.fd = fd, .events = POLLIN};
    char line[256];
    ssize_t n;

    if (fd < 0)
        return printf("socket error %s\n", errno_name(errno)), 1;
    if (options)
        set_options(fd);
    if (bound) {
        struct sockaddr_in any = {.sin_family = AF_INET};

        printf("bind %s\n", errno_name(bind(fd, (struct sockaddr *)&any, sizeof any) ? errno : 0));
    }
    err = connect_to(fd, to, nonblock);
    printf("connected %s\n", errno_name(err));
    if (err)
        return close(fd), 1;
    show("peername", getpeername, fd);
    show("sockname", getsockname, fd);
    if (lengths)
        odd_lengths(fd);
    if (options)
        show_options(fd);
    if (udp) {
        printf("sent %zd\n", send(fd, "ping\n", 5, 0));
        if (again) {
            struct sockaddr_in next = *to;

            inet_pton(AF_INET, again, &next.sin_addr);
            printf("connect again %s\n", errno_name(connect_to(fd, &next, 0)));
            show("peername again", getpeername, fd);
            printf("sent %zd\n", send(fd, "pong\n", 5, 0));
        }
        return close(fd), 0;
    }
    n = read_line(fd, &in, line, sizeof line);
    line[strcspn(line, "\n")] = 0;
    printf("greeting %s\n", line);
    /* The peer may have closed already: its answer is what counts. */
    (void)!send(fd, "bye\n", 4, MSG_NOSIGNAL);
    close(fd);
    return n > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct sockaddr_in to = {.sin_family = AF_INET};
    int nonblock = 0, forked = 0, count = 1, opt, rc = 0, status;

    while ((opt = getopt(argc, argv, "nfusobl:r:")) != -1) {
        if (opt == 'b')
            bound = 1;
        else if (opt == 'o')
            options = 1;
        else if (opt == 'r')
            again = optarg;
        else if (opt == 's')
            lengths = 1;
        else if (opt == 'u')
            udp = 1;
        else if (opt == 'n')
            nonblock = 1;
        else if (opt == 'f')
            forked = 1;
        else if (opt == 'l')
            count = atoi(optarg);
        else
            return 2;
    }
    if (argc - optind != 2 || inet_pton(AF_INET, argv[optind], &to.sin_addr) != 1)
        return fprintf(stderr, "usage: static_client [-n] [-f] [-u [-r ADDR2]] [-s] [-o] [-b] [-l COUNT] ADDR PORT\n"), 2;
    to.sin_port = htons((unsigned short)atoi(argv[optind + 1]));
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("pid %d ppid %d\n", (int)getpid(), (int)getppid());
    if (forked) {
        pid_t child = fork();

        if (child == 0)
            _exit(once(&to, nonblock));
        waitpid(child, &status, 0);
        printf("child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    for (int i = 0; i < count; i++) {
        if (i)
            usleep(300 * 1000);
        rc |= once(&to, nonblock);
    }
    return rc;
}
