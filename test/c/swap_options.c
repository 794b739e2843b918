/*
 * Options, file status flags and descriptor flags a program gave its
 * AF_INET socket before the connect that swaps it for an AF_INET6 one, all
 * present afterwards: for a socket made in this process (the swap copies
 * what the setsockopt hook recorded, core/fd/sockhist.h) and for one
 * inherited across exec (no history: the swap compares every option with
 * the defaults). Run by test/c/smoke.sh: 198.18.0.1:8080 is the IPv6
 * server on [::1]:8080.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define TOS 0x20
#define KEEPIDLE 77
#define LINGER 5
#define RCVBUF 65536

static int get_int(int fd, int level, int name)
{
    int v = -1;
    socklen_t len = sizeof v;

    getsockopt(fd, level, name, &v, &len);
    return v;
}

/* The kernel's answer, past the getsockopt hook (which says AF_INET). */
static int domain_of(int fd)
{
    int d = -1;
    socklen_t len = sizeof d;

    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &d, &len);
    return d;
}

/* Connects to the pool address, waiting if the socket is non-blocking. */
static int connect_pool(int fd)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(8080)};
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t len = sizeof err;

    inet_pton(AF_INET, "198.18.0.1", &sin.sin_addr);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0)
        return 0;
    if (errno != EINPROGRESS || poll(&p, 1, 3000) != 1)
        return -1;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    return err ? -1 : 0;
}

/* Every option of the list, set as a program would. */
static void set_options(int fd)
{
    int one = 1, buf = RCVBUF, tos = TOS, idle = KEEPIDLE;
    struct linger l = {.l_onoff = 1, .l_linger = LINGER};

    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
}

/* Connects fd (options set by set_options(), rcvbuf and priority as read
 * before) and checks that the replacement has them all. */
static void check_swapped(int fd, int rcvbuf, int priority, const char *how)
{
    struct linger l = {0};
    socklen_t len = sizeof l;
    char what[200];

#define CHECK(ok, text) (snprintf(what, sizeof what, "%s: %s", how, text), check(ok, what))
    CHECK(connect_pool(fd) == 0 && domain_of(fd) == AF_INET6, "connected, now an AF_INET6 socket");
    CHECK(get_int(fd, SOL_SOCKET, SO_RCVBUF) == rcvbuf, "  SO_RCVBUF exactly as before");
    CHECK(get_int(fd, IPPROTO_TCP, TCP_NODELAY) == 1, "  TCP_NODELAY");
    CHECK(get_int(fd, SOL_SOCKET, SO_REUSEADDR) == 1, "  SO_REUSEADDR");
    CHECK(get_int(fd, IPPROTO_IPV6, IPV6_TCLASS) == TOS, "  IP_TOS became IPV6_TCLASS");
    CHECK(get_int(fd, SOL_SOCKET, SO_PRIORITY) == priority, "  SO_PRIORITY (set by IP_TOS) as before");
    CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len) == 0 && l.l_onoff && l.l_linger == LINGER,
          "  SO_LINGER on, 5 s");
    CHECK(get_int(fd, SOL_SOCKET, SO_KEEPALIVE) == 1 && get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE) == KEEPIDLE,
          "  SO_KEEPALIVE and TCP_KEEPIDLE");
#undef CHECK
}

/* A socket made here, options set through its one descriptor. */
static void test_known(const char *how, int nonblock)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1, rcvbuf, priority;
    char what[200];

    set_options(fd);
    if (nonblock == 1)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    else if (nonblock == 2)
        ioctl(fd, FIONBIO, &on);
    rcvbuf = get_int(fd, SOL_SOCKET, SO_RCVBUF);
    priority = get_int(fd, SOL_SOCKET, SO_PRIORITY);
    check_swapped(fd, rcvbuf, priority, how);
    snprintf(what, sizeof what, "%s:   %s", how, nonblock ? "still non-blocking" : "still blocking");
    check(!(fcntl(fd, F_GETFL) & O_NONBLOCK) == !nonblock, what);
    snprintf(what, sizeof what, "%s:   no FD_CLOEXEC, as made", how);
    check(!(fcntl(fd, F_GETFD) & FD_CLOEXEC), what);
    close(fd);
}

/* A socket the program never touched: the replacement keeps the defaults. */
static void test_untouched(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int nodelay = get_int(fd, IPPROTO_TCP, TCP_NODELAY), keepalive = get_int(fd, SOL_SOCKET, SO_KEEPALIVE);

    check(connect_pool(fd) == 0 && domain_of(fd) == AF_INET6, "untouched socket: connected as AF_INET6");
    check(get_int(fd, IPPROTO_TCP, TCP_NODELAY) == nodelay &&
              get_int(fd, SOL_SOCKET, SO_KEEPALIVE) == keepalive && get_int(fd, IPPROTO_IPV6, IPV6_TCLASS) == 0,
          "  defaults kept");
    check(fcntl(fd, F_GETFD) & FD_CLOEXEC, "  FD_CLOEXEC kept");
    close(fd);
}

/* A socket made by the parent before exec: the child has no history of
 * it, and only the comparison with the defaults finds its options. */
static void test_inherited(const char *self)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1, on = 1;
    char arg[16], rcvbuf[16], priority[16];
    pid_t pid;

    set_options(fd);
    ioctl(fd, FIONBIO, &on);
    snprintf(arg, sizeof arg, "%d", fd);
    snprintf(rcvbuf, sizeof rcvbuf, "%d", get_int(fd, SOL_SOCKET, SO_RCVBUF));
    snprintf(priority, sizeof priority, "%d", get_int(fd, SOL_SOCKET, SO_PRIORITY));
    pid = fork();
    if (pid == 0) {
        execl(self, self, "inherited", arg, rcvbuf, priority, (char *)NULL);
        _exit(127);
    }
    close(fd);
    waitpid(pid, &status, 0);
    check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "inherited socket: every check in the exec'd child passed");
}

static int inherited_child(char **argv)
{
    int fd = atoi(argv[2]);

    check_swapped(fd, atoi(argv[3]), atoi(argv[4]), "inherited across exec");
    check(fcntl(fd, F_GETFL) & O_NONBLOCK, "inherited across exec:   O_NONBLOCK (ioctl FIONBIO) kept");
    close(fd);
    return failed != 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "inherited"))
        return inherited_child(argv);
    test_known("made here", 0);
    test_known("made here, O_NONBLOCK by fcntl", 1);
    test_known("made here, O_NONBLOCK by ioctl(FIONBIO)", 2);
    test_untouched();
    test_inherited("/proc/self/exe");
    return report();
}
