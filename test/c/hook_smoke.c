/*
 * Exercises the preload library's hooks from C, where errno, address
 * lengths and descriptor state can be checked exactly. Run by
 * test/c/smoke.sh, inside a network namespace that has only loopback, with
 * test/c/fake_helper.py answering and an IPv6 server on [::1]:8080.
 * Prints one line per check and "N passed, N failed" at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"



static struct sockaddr_in v4(const char *addr, int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};

    inet_pton(AF_INET, addr, &sin.sin_addr);
    return sin;
}

static int tcp_connect(const char *addr, int port)
{
    struct sockaddr_in sin = v4(addr, port);
    int fd = socket(AF_INET, SOCK_STREAM, 0), err;

    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0)
        return fd;
    err = errno;
    close(fd);
    return -err;
}

/* The kernel's answer, past the getsockopt hook (which says AF_INET for a
 * swapped socket). */
static int domain_of(int fd)
{
    int d = -1;
    socklen_t len = sizeof d;

    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &d, &len);
    return d;
}

static int get_int(int fd, int level, int name);

static int is_helper_connection(int fd)
{
    struct sockaddr_un sun;
    socklen_t len = sizeof sun;

    return getpeername(fd, (struct sockaddr *)&sun, &len) == 0 && sun.sun_family == AF_UNIX &&
           strcmp(sun.sun_path, getenv("BIA_SOCKET")) == 0;
}

/* Descriptors open, besides the library's connections to the helper, which
 * it keeps on purpose (at most 4, counted in *helper). */
static int open_fds(int *helper)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    *helper = 0;
    while ((de = readdir(d))) {
        if (is_helper_connection(atoi(de->d_name)) && de->d_name[0] != '.')
            ++*helper;
        else
            n++;
    }
    closedir(d);
    return n;
}

static const char *ip(const struct sockaddr_in *sin, char *buf)
{
    return inet_ntop(AF_INET, &sin->sin_addr, buf, INET_ADDRSTRLEN);
}

static void test_getaddrinfo(void)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_CANONNAME};
    struct addrinfo *res, *ai;
    char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
    int n = 0, rc;

    rc = getaddrinfo("v6only.test", "http", &hints, &res);
    check(rc == 0, "getaddrinfo AF_INET v6only.test http");
    if (rc)
        return;
    for (ai = res; ai; ai = ai->ai_next)
        n++;
    check(n == 2 && res->ai_canonname && !strcmp(res->ai_canonname, "v6only.test") &&
              !res->ai_next->ai_canonname,
          "  two entries, canonname on the first only");
    check(res->ai_socktype == SOCK_STREAM && res->ai_protocol == IPPROTO_TCP &&
              res->ai_addrlen == sizeof(struct sockaddr_in) &&
              ((struct sockaddr_in *)res->ai_addr)->sin_port == htons(80),
          "  SOCK_STREAM/TCP, port 80");
    check(!strcmp(ip((struct sockaddr_in *)res->ai_addr, a), "198.18.0.1") &&
              !strcmp(ip((struct sockaddr_in *)res->ai_next->ai_addr, b), "198.18.0.2"),
          "  198.18.0.1 then 198.18.0.2");
    freeaddrinfo(res);

    hints = (struct addrinfo){.ai_family = AF_INET};
    rc = getaddrinfo("v6only.test", NULL, &hints, &res);
    n = 0;
    for (ai = rc ? NULL : res; ai; ai = ai->ai_next)
        n++;
    check(rc == 0 && n == 6, "getaddrinfo without socktype: 2 addresses x 3 socket types");
    if (!rc)
        freeaddrinfo(res);

    check(getaddrinfo("v6only.test", "no-such-service", &hints, &res) == EAI_SERVICE,
          "unknown service: EAI_SERVICE, as glibc");
    hints.ai_flags = 0x10000;
    check(getaddrinfo("v6only.test", "80", &hints, &res) == EAI_BADFLAGS,
          "bad flags: EAI_BADFLAGS, as glibc");
    hints.ai_flags = 0;
    check(getaddrinfo("nosuch.test", "80", &hints, &res) == EAI_NONAME, "NOT_FOUND: EAI_NONAME");
    check(getaddrinfo("garbage.test", "80", &hints, &res) == EAI_AGAIN,
          "malformed helper reply: EAI_AGAIN");
    rc = getaddrinfo("127.0.0.1", "80", &hints, &res);
    check(rc == 0, "numeric host goes to libc");
    if (!rc)
        freeaddrinfo(res);
    hints.ai_family = AF_UNSPEC;
    hints.ai_flags = AI_NUMERICHOST;
    check(getaddrinfo("v6only.test", "80", &hints, &res) == EAI_NONAME,
          "AF_UNSPEC + AI_NUMERICHOST on a name goes to libc (EAI_NONAME)");
}

static void test_gethostbyname(void)
{
    struct hostent *h = gethostbyname("v6only.test"), ret, *result;
    char a[INET_ADDRSTRLEN], small[40], big[1024];
    int herr = 0, rc;

    check(h && !strcmp(h->h_name, "v6only.test") && h->h_addrtype == AF_INET &&
              h->h_length == 4 && h->h_aliases && !h->h_aliases[0] && h->h_addr_list[0] &&
              h->h_addr_list[1] && !h->h_addr_list[2] &&
              !strcmp(inet_ntop(AF_INET, h->h_addr_list[1], a, sizeof a), "198.18.0.2"),
          "gethostbyname v6only.test: both pool addresses");
    h = gethostbyname("nosuch.test");
    check(!h && h_errno == HOST_NOT_FOUND, "gethostbyname NOT_FOUND: HOST_NOT_FOUND");
    rc = gethostbyname_r("v6only.test", &ret, small, sizeof small, &result, &herr);
    check(rc == ERANGE && !result && herr == NETDB_INTERNAL, "gethostbyname_r small buffer: ERANGE");
    rc = gethostbyname_r("v6only.test", &ret, big + 1, sizeof big - 1, &result, &herr);
    check(rc == 0 && result == &ret && ret.h_addr_list[0] &&
              ((uintptr_t)ret.h_addr_list % sizeof(char *)) == 0,
          "gethostbyname_r unaligned buffer: aligned result");
    rc = gethostbyname_r("nosuch.test", &ret, big, sizeof big, &result, &herr);
    check(rc == 0 && !result && herr == HOST_NOT_FOUND, "gethostbyname_r NOT_FOUND: 0, HOST_NOT_FOUND");
}

static void test_blocking_connect(void)
{
    struct sockaddr_in peer, local;
    socklen_t len = sizeof peer;
    char a[INET_ADDRSTRLEN], greeting[100] = {0};
    int fd = tcp_connect("198.18.0.1", 8080);

    check(fd >= 0, "blocking connect to pool address 198.18.0.1:8080");
    if (fd < 0)
        return;
    check(domain_of(fd) == AF_INET6, "  the descriptor now holds an AF_INET6 socket");
    check(getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && len == sizeof peer &&
              peer.sin_family == AF_INET && !strcmp(ip(&peer, a), "198.18.0.1") &&
              peer.sin_port == htons(8080),
          "  getpeername: 198.18.0.1:8080 as sockaddr_in");
    len = sizeof local;
    check(getsockname(fd, (struct sockaddr *)&local, &len) == 0 && local.sin_family == AF_INET &&
              len == sizeof local && local.sin_port != 0,
          "  getsockname: an AF_INET address");
    len = 4;
    memset(&peer, 0xee, sizeof peer);
    check(getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && len == sizeof peer &&
              peer.sin_family == AF_INET && ((unsigned char *)&peer)[4] == 0xee,
          "  getpeername with addrlen 4: truncated copy, full length reported");
    check(getpeername(fd, (struct sockaddr *)&peer, NULL) < 0 && errno == EFAULT,
          "  getpeername with NULL addrlen: EFAULT");
    check(read(fd, greeting, sizeof greeting - 1) > 0 && strstr(greeting, "hello"),
          "  reads the IPv6 server's greeting");
    close(fd);
}

static void test_nonblocking_connect(void)
{
    struct sockaddr_in sin = v4("198.18.0.1", 8080);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), err = -1, rc;
    socklen_t len = sizeof err;
    struct pollfd p = {.fd = fd, .events = POLLOUT};

    rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
    check(rc == 0 || errno == EINPROGRESS, "non-blocking connect: EINPROGRESS (or 0)");
    poll(&p, 1, 3000);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    check(err == 0, "  SO_ERROR 0 once writable");
    /* Linux: the first connect after completion returns 0, later ones EISCONN. */
    rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
    check(rc == 0, "  connect again: 0, as the kernel answers");
    rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
    check(rc < 0 && errno == EISCONN, "  and once more: EISCONN");
    check(fcntl(fd, F_GETFL) & O_NONBLOCK, "  still non-blocking");
    close(fd);
}

static void test_errors(void)
{
    struct sockaddr_in sin = v4("198.18.0.1", 8080);
    int fd;

    check(tcp_connect("198.18.0.1", 9) == -ECONNREFUSED, "refused port: ECONNREFUSED");
    check(tcp_connect("198.18.0.99", 80) == -EHOSTUNREACH, "pool address unknown to the helper: EHOSTUNREACH");
    check(tcp_connect("192.0.2.20", 8080) == -ENETUNREACH, "real IPv4 without partner: kernel's ENETUNREACH");
    fd = tcp_connect("192.0.2.10", 8080);
    check(fd >= 0, "IPv4 half of an A/AAAA pair: connected over IPv6");
    if (fd >= 0)
        close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    check(connect(fd, NULL, sizeof sin) < 0 && errno == EFAULT, "connect NULL address: EFAULT");
    check(connect(fd, (struct sockaddr *)&sin, 8) < 0 && errno == EINVAL, "connect short length: EINVAL");
    check(connect(-1, (struct sockaddr *)&sin, sizeof sin) < 0 && errno == EBADF,
          "connect on a bad descriptor to a pool address: EBADF");
    check(connect(0, (struct sockaddr *)&sin, sizeof sin) < 0 && errno == ENOTSOCK,
          "connect on a non-socket to a pool address: ENOTSOCK");
    close(fd);
}

static void test_native(void)
{
    struct sockaddr_in sin = v4("127.0.0.1", 0), peer;
    socklen_t len = sizeof sin;
    int srv = socket(AF_INET, SOCK_STREAM, 0), fd;

    bind(srv, (struct sockaddr *)&sin, sizeof sin);
    listen(srv, 4);
    getsockname(srv, (struct sockaddr *)&sin, &len);
    fd = tcp_connect("127.0.0.1", ntohs(sin.sin_port));
    len = sizeof peer;
    check(fd >= 0 && get_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET &&
              getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && len == sizeof peer &&
              peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && peer.sin_port == sin.sin_port,
          "loopback connect: native IPv4 (v4-mapped on a socket born dual-stack), shown as AF_INET");
    len = sizeof peer;
    check(fd >= 0 && getpeername(fd, (struct sockaddr *)&peer, &len) == 0 &&
              peer.sin_port == sin.sin_port,
          "  getpeername untouched");
    close(fd);
    close(srv);
}

static int get_int(int fd, int level, int name)
{
    int v = -1;
    socklen_t len = sizeof v;

    getsockopt(fd, level, name, &v, &len);
    return v;
}

static void test_options(void)
{
    struct sockaddr_in sin = v4("198.18.0.1", 8080), any = v4("0.0.0.0", 0), local;
    socklen_t len = sizeof any;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, buf = 65536, tos = 0x20;
    int rcvbuf, port, dup_fd;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* Through a duplicate: options belong to the socket, not the descriptor. */
    dup_fd = dup(fd);
    setsockopt(dup_fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    close(dup_fd);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
    rcvbuf = get_int(fd, SOL_SOCKET, SO_RCVBUF);
    bind(fd, (struct sockaddr *)&any, sizeof any);
    getsockname(fd, (struct sockaddr *)&any, &len);
    port = ntohs(any.sin_port);
    check(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0 && domain_of(fd) == AF_INET6,
          "connect after setsockopt and bind to 0.0.0.0:port");
    check(get_int(fd, IPPROTO_TCP, TCP_NODELAY) == 1 && get_int(fd, SOL_SOCKET, SO_KEEPALIVE) == 1 &&
              get_int(fd, SOL_SOCKET, SO_REUSEADDR) == 1,
          "  TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR carried over");
    check(get_int(fd, SOL_SOCKET, SO_RCVBUF) == rcvbuf, "  SO_RCVBUF carried over exactly");
    check(get_int(fd, IPPROTO_IPV6, IPV6_TCLASS) == tos, "  IP_TOS became IPV6_TCLASS");
    check(fcntl(fd, F_GETFD) & FD_CLOEXEC, "  FD_CLOEXEC kept");
    len = sizeof local;
    check(getsockname(fd, (struct sockaddr *)&local, &len) == 0 && ntohs(local.sin_port) == port,
          "  still on the port it was bound to");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    any = v4("127.0.0.1", 0);
    bind(fd, (struct sockaddr *)&any, sizeof any);
    check(connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0 && errno == ENETUNREACH &&
              domain_of(fd) == AF_INET,
          "socket bound to 127.0.0.1: left native, the kernel answers");
    close(fd);
}

static void test_udp(void)
{
    struct sockaddr_in sin = v4("198.18.0.1", 5353), lo = v4("127.0.0.1", 5353), peer;
    socklen_t len = sizeof peer;
    char a[INET_ADDRSTRLEN];
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    check(connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0 && domain_of(fd) == AF_INET6,
          "UDP connect to a pool address: swapped");
    check(getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && !strcmp(ip(&peer, a), "198.18.0.1"),
          "  getpeername 198.18.0.1");
    check(send(fd, "x", 1, 0) == 1, "  send works");
    check(connect(fd, (struct sockaddr *)&lo, sizeof lo) == 0, "  reconnect to 127.0.0.1 (v4-mapped)");
    len = sizeof peer;
    check(getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && !strcmp(ip(&peer, a), "127.0.0.1") &&
              peer.sin_family == AF_INET,
          "  getpeername 127.0.0.1");
    close(fd);
}

static void test_stale(void)
{
    int fd = tcp_connect("198.18.0.1", 8080), other, again;
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;

    close(fd);
    again = socket(AF_INET, SOCK_STREAM, 0);
    check(again == fd && getpeername(again, (struct sockaddr *)&peer, &len) < 0 && errno == ENOTCONN,
          "closed and reused descriptor: no stale translation");
    close(again);
    fd = tcp_connect("198.18.0.1", 8080);
    other = socket(AF_INET, SOCK_STREAM, 0);
    dup2(other, fd);    /* behind the library's back */
    len = sizeof peer;
    check(getpeername(fd, (struct sockaddr *)&peer, &len) < 0 && errno == ENOTCONN,
          "descriptor replaced by dup2: stale entry detected by inode");
    close(other);
    close(fd);
}

static void *connect_many(void *arg)
{
    long ok = 0;

    (void)arg;
    for (int i = 0; i < 20; i++) {
        int fd = tcp_connect(i % 2 ? "198.18.0.1" : "198.18.0.2", 8080);
        if (fd >= 0) {
            ok++;
            close(fd);
        }
    }
    return (void *)ok;
}

static void test_threads(void)
{
    pthread_t t[8];
    long total = 0;

    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, connect_many, NULL);
    for (int i = 0; i < 8; i++) {
        void *ok;
        pthread_join(t[i], &ok);
        total += (long)ok;
    }
    check(total == 160, "8 threads x 20 translated connects");
}

/* An IPv4 address that stands for ::1: fake_helper.py knows it as a pool
 * address of v6only.test and as the partner of dual.test's 192.0.2.10. */
static int stands_for_v6(const struct sockaddr_in *a)
{
    uint32_t h = ntohl(a->sin_addr.s_addr);

    return a->sin_family == AF_INET && ((h & 0xfffe0000) == 0xc6120000 || h == 0xc000020a);
}

/* A native IPv6 UDP socket on [::1]: the far end of the translated ones. */
static int v6_udp(int *port)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);

    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin6_port);
    return fd;
}

static void test_udp_unconnected(void)
{
    int port, srv = v6_udp(&port), fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
    struct sockaddr_in dst = v4("198.18.0.1", port), from, names[2];
    struct sockaddr_in6 cli, six = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    struct mmsghdr m[2];
    struct iovec iov[2];
    char buf[16], b2[2][8];
    socklen_t len = sizeof cli;

    check(sendto(fd, "a", 1, 0, (struct sockaddr *)&dst, sizeof dst) == 1 && domain_of(fd) == AF_INET6,
          "UDP sendto a pool address: swapped, sent");
    recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&cli, &len);
    for (int i = 0; i < 4; i++)
        sendto(srv, "b", 1, 0, (struct sockaddr *)&cli, len);
    len = sizeof from;
    check(recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) == 1 && len == sizeof from &&
              stands_for_v6(&from) && ntohs(from.sin_port) == port,
          "  recvfrom: the source as the IPv4 address standing for it, and its port");
    memset(&from, 0xee, sizeof from);
    len = 4;
    check(recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) == 1 && len == sizeof from &&
              from.sin_family == AF_INET && ((unsigned char *)&from)[4] == 0xee,
          "  recvfrom addrlen 4: 4 bytes copied, 16 reported");
    len = (socklen_t)-1;
    check(recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len) < 0 && errno == EINVAL,
          "  recvfrom addrlen -1: EINVAL");
    sendto(srv, "c", 1, 0, (struct sockaddr *)&cli, sizeof cli);
    memset(m, 0, sizeof m);
    for (int i = 0; i < 2; i++) {
        iov[i] = (struct iovec){b2[i], sizeof b2[i]};
        m[i].msg_hdr = (struct msghdr){.msg_name = &names[i], .msg_namelen = i ? 4 : sizeof names[i],
                                       .msg_iov = &iov[i], .msg_iovlen = 1};
    }
    check(recvmmsg(fd, m, 2, MSG_DONTWAIT, NULL) == 2 && stands_for_v6(&names[0]) &&
              m[0].msg_hdr.msg_namelen == sizeof names[0] && m[1].msg_hdr.msg_namelen == sizeof names[1] &&
              names[1].sin_family == AF_INET,
          "  recvmmsg: sources in IPv4 form, a short msg_namelen truncated");
    check(sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, 8) < 0 && errno == EINVAL,
          "  sendto with an 8-byte address: EINVAL");
    check(sendto(fd, "x", 1, 0, (struct sockaddr *)&six, sizeof six) < 0 && errno == EAFNOSUPPORT,
          "  sendto an AF_INET6 address: EAFNOSUPPORT, as on an AF_INET socket");
    check(bind(fd, (struct sockaddr *)&six, sizeof six) < 0 && errno == EAFNOSUPPORT,
          "  bind an AF_INET6 address: EAFNOSUPPORT");
    check(connect(fd, (struct sockaddr *)&six, sizeof six) < 0 && errno == EAFNOSUPPORT,
          "  connect to an AF_INET6 address: EAFNOSUPPORT");
    dst = v4("239.1.2.3", port);
    check(sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, sizeof dst) < 0 && errno == ENETUNREACH,
          "  sendto IPv4 multicast: ENETUNREACH");
    check(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &one, sizeof one) < 0 && errno == ENOPROTOOPT,
          "  IP_MULTICAST_TTL: ENOPROTOOPT");
    check(setsockopt(fd, IPPROTO_IP, IP_TTL, &(int){7}, sizeof(int)) == 0 &&
              get_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 7 && get_int(fd, IPPROTO_IP, IP_TTL) == 7,
          "  IP_TTL also sets IPV6_UNICAST_HOPS");
    check(get_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET, "  getsockopt SO_DOMAIN: AF_INET");
    close(fd);

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    dst = v4("198.18.0.1", port);
    memset(m, 0, sizeof m);
    for (int i = 0; i < 2; i++) {
        iov[i] = (struct iovec){"mm", 2};
        m[i].msg_hdr = (struct msghdr){.msg_name = &dst, .msg_namelen = sizeof dst,
                                       .msg_iov = &iov[i], .msg_iovlen = 1};
    }
    check(sendmmsg(fd, m, 2, 0) == 2 && m[0].msg_len == 2 && m[1].msg_len == 2 && domain_of(fd) == AF_INET6,
          "sendmmsg to a pool address: swapped, both sent");
    check(recv(srv, buf, sizeof buf, MSG_DONTWAIT) == 2 && recv(srv, buf, sizeof buf, MSG_DONTWAIT) == 2,
          "  both arrived over IPv6");
    close(fd);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    dst = v4("127.0.0.1", 9);
    check(sendmmsg(fd, m, 2, 0) == 2 && get_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET,
          "sendmmsg to 127.0.0.1: native, both sent");
    close(fd);
    close(srv);
}

/* IP_RECVERR set before the swap: the ICMPv6 error comes back as ICMP with
 * the offender as a pool address. */
static void test_recverr(void)
{
    int port, srv = v6_udp(&port), fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, ok = 0;
    struct sockaddr_in dst, name;
    char control[256], buf[8];
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {.msg_name = &name, .msg_namelen = sizeof name, .msg_iov = &iov,
                         .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct pollfd p = {.fd = fd};

    close(srv);     /* the port is now closed: ICMPv6 port unreachable */
    dst = v4("198.18.0.1", port);
    setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
    sendto(fd, "x", 1, 0, (struct sockaddr *)&dst, sizeof dst);
    poll(&p, 1, 2000);
    if (recvmsg(fd, &msg, MSG_ERRQUEUE) >= 0) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            struct sock_extended_err ee;
            struct sockaddr_in off;
            if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_RECVERR)
                continue;
            memcpy(&ee, CMSG_DATA(c), sizeof ee);
            memcpy(&off, CMSG_DATA(c) + sizeof ee, sizeof off);
            ok = c->cmsg_len == CMSG_LEN(sizeof ee + sizeof off) && ee.ee_errno == ECONNREFUSED &&
                 ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == 3 && ee.ee_code == 3 && stands_for_v6(&off);
        }
    }
    check(ok && stands_for_v6(&name) && ntohs(name.sin_port) == port,
          "IP_RECVERR: ICMP port unreachable, offender and destination in IPv4 form");
    close(fd);

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    connect(fd, (struct sockaddr *)&dst, sizeof dst);
    send(fd, "x", 1, 0);
    p.fd = fd;
    poll(&p, 1, 2000);
    check(recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == ECONNREFUSED,
          "connected UDP to a closed port: ECONNREFUSED, as for IPv4");
    close(fd);
}

/* A listener bound to 0.0.0.0 takes IPv6 and IPv4 clients. */
static void test_listener(void)
{
    struct sockaddr_in any = v4("0.0.0.0", 0), peer, lo;
    struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    socklen_t len = sizeof any;
    int l = socket(AF_INET, SOCK_STREAM, 0), c6 = socket(AF_INET6, SOCK_STREAM, 0), c4, a;
    int l2 = socket(AF_INET, SOCK_STREAM, 0);
    char t[INET_ADDRSTRLEN];

    check(bind(l, (struct sockaddr *)&any, 8) < 0 && errno == EINVAL, "bind with an 8-byte address: EINVAL");
    check(bind(l, (struct sockaddr *)&any, sizeof any) == 0 && listen(l, 4) == 0 && domain_of(l) == AF_INET6,
          "bind 0.0.0.0: a dual-stack AF_INET6 listener");
    getsockname(l, (struct sockaddr *)&any, &len);
    check(any.sin_family == AF_INET && any.sin_addr.s_addr == 0 && any.sin_port != 0,
          "  getsockname: 0.0.0.0 and the port");
    check(bind(l2, (struct sockaddr *)&any, sizeof any) < 0 && errno == EADDRINUSE,
          "  a second bind to the port: EADDRINUSE");
    to.sin6_port = any.sin_port;
    connect(c6, (struct sockaddr *)&to, sizeof to);
    check(accept4(l, (struct sockaddr *)&peer, &len, 0x7fff0000) < 0 && errno == EINVAL,
          "  accept4 with unknown flags: EINVAL");
    len = sizeof peer;
    a = accept4(l, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    check(a >= 0 && stands_for_v6(&peer) && (fcntl(a, F_GETFL) & O_NONBLOCK) && (fcntl(a, F_GETFD) & FD_CLOEXEC),
          "  accept4: an IPv6 client in IPv4 form, flags applied");
    len = sizeof lo;
    check(getpeername(a, (struct sockaddr *)&lo, &len) == 0 && lo.sin_addr.s_addr == peer.sin_addr.s_addr &&
              get_int(a, SOL_SOCKET, SO_DOMAIN) == AF_INET,
          "  the accepted socket: getpeername the same address, SO_DOMAIN AF_INET");
    check(shutdown(a, SHUT_WR) == 0 && read(c6, t, 1) == 0, "  shutdown works on it");
    close(a);
    c4 = tcp_connect("127.0.0.1", ntohs(any.sin_port));
    len = sizeof peer;
    a = accept(l, (struct sockaddr *)&peer, &len);
    check(a >= 0 && !strcmp(ip(&peer, t), "127.0.0.1"), "  accept: an IPv4 client as itself");
    close(a);
    close(c4);
    close(c6);
    close(l);
    close(l2);

    /* A server that listens on IPv6 itself, IPv6-only, and on 0.0.0.0. */
    l = socket(AF_INET6, SOCK_STREAM, 0);
    l2 = socket(AF_INET, SOCK_STREAM, 0);
    to.sin6_addr = in6addr_any;
    to.sin6_port = 0;
    len = sizeof to;
    setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, sizeof(int));
    bind(l, (struct sockaddr *)&to, sizeof to);
    getsockname(l, (struct sockaddr *)&to, &len);
    any = v4("0.0.0.0", ntohs(to.sin6_port));
    check(bind(l2, (struct sockaddr *)&any, sizeof any) == 0 && domain_of(l2) == AF_INET,
          "bind 0.0.0.0 next to the program's own IPv6-only socket on the port: native");
    close(l);
    close(l2);
}

/* The hop limit of the next datagram waiting on srv (IPV6_RECVHOPLIMIT), or -1. */
static int hop_limit(int srv)
{
    char in[64], buf[8];
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = in, .msg_controllen = sizeof in};
    int hops = -1;

    if (recvmsg(srv, &msg, MSG_DONTWAIT) < 0)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)
            memcpy(&hops, CMSG_DATA(c), sizeof hops);
    return hops;
}

/* Two datagrams in one sendmmsg to dst, with IP_TTL 7 and 8 control messages. */
static int send_ttl_batch(int fd, struct sockaddr_in *dst)
{
    char control[2][CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
    struct iovec iov[2] = {{"one", 3}, {"two", 3}};
    struct mmsghdr m[2];

    memset(control, 0, sizeof control);
    memset(m, 0, sizeof m);
    for (int i = 0; i < 2; i++) {
        struct msghdr *h = &m[i].msg_hdr;
        int ttl = 7 + i;
        *h = (struct msghdr){.msg_name = dst, .msg_namelen = sizeof *dst, .msg_iov = &iov[i],
                             .msg_iovlen = 1, .msg_control = control[i], .msg_controllen = sizeof control[i]};
        struct cmsghdr *c = CMSG_FIRSTHDR(h);
        *c = (struct cmsghdr){.cmsg_len = CMSG_LEN(sizeof ttl), .cmsg_level = IPPROTO_IP, .cmsg_type = IP_TTL};
        memcpy(CMSG_DATA(c), &ttl, sizeof ttl);
    }
    return sendmmsg(fd, m, 2, 0);
}

/* Control messages sent to an IPv6 peer, IP_MTU, binds to stand-in addresses. */
static void test_send_control(void)
{
    int port, srv = v6_udp(&port), fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, ttl = 5;
    struct sockaddr_in dst = v4("198.18.0.1", port), local;
    char control[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8))) = {0};
    struct iovec iov = {"ttl", 3};
    struct msghdr msg = {.msg_name = &dst, .msg_namelen = sizeof dst, .msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    socklen_t len = sizeof local;
    int paired = socket(AF_INET, SOCK_STREAM, 0), pool = socket(AF_INET, SOCK_STREAM, 0);

    setsockopt(srv, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_TTL;
    c->cmsg_len = CMSG_LEN(sizeof ttl);
    memcpy(CMSG_DATA(c), &ttl, sizeof ttl);
    check(sendmsg(fd, &msg, 0) == 3, "sendmsg with an IP_TTL control message to a pool address");
    check(hop_limit(srv) == 5, "  arrived with hop limit 5 (IPV6_HOPLIMIT)");
    connect(fd, (struct sockaddr *)&dst, sizeof dst);
    ttl = 6;
    iov = (struct iovec){"ttl", 3};
    msg = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                          .msg_controllen = sizeof control};
    c = CMSG_FIRSTHDR(&msg);
    *c = (struct cmsghdr){.cmsg_len = CMSG_LEN(sizeof ttl), .cmsg_level = IPPROTO_IP, .cmsg_type = IP_TTL};
    memcpy(CMSG_DATA(c), &ttl, sizeof ttl);
    check(sendmsg(fd, &msg, 0) == 3, "  connected: sendmsg with IP_TTL and no name");
    check(hop_limit(srv) == 6, "  arrived with hop limit 6");
    check(get_int(fd, IPPROTO_IP, IP_MTU) > 0, "  IP_MTU on the connected swapped socket");
    check(send_ttl_batch(fd, &dst) == 2 && hop_limit(srv) == 7 && hop_limit(srv) == 8,
          "  sendmmsg with IP_TTL control messages to the connected peer: hop limits 7 and 8");
    close(fd);
    close(srv);

    dst = v4("192.0.2.10", 0);
    check(bind(paired, (struct sockaddr *)&dst, sizeof dst) == 0 && domain_of(paired) == AF_INET6 &&
              getsockname(paired, (struct sockaddr *)&local, &len) == 0 && stands_for_v6(&local),
          "bind a PAIRED address: bound to its IPv6 partner, getsockname in IPv4 form");
    dst = v4("198.18.0.1", 0);
    check(bind(pool, (struct sockaddr *)&dst, sizeof dst) == 0 && domain_of(pool) == AF_INET6,
          "bind a pool address: bound to the IPv6 address it stands for");
    close(paired);
    close(pool);
}

static int v6only_of(int fd)
{
    int on = -1;
    socklen_t len = sizeof on;

    return getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len) ? -errno : on;
}

/* An IPv6 program connecting to a synthesized (IPv4-mapped) address with
 * IPV6_V6ONLY set: bia lifts the option so the kernel carries it over
 * IPv4, and the program still reads back what it set. */
static void test_v6only_mapped(void)
{
    struct sockaddr_in lsin = v4("127.0.0.1", 0);
    struct sockaddr_in6 dst = {.sin6_family = AF_INET6};
    socklen_t len = sizeof lsin;
    int one = 1, l = socket(AF_INET, SOCK_STREAM, 0), fd, again;

    bind(l, (struct sockaddr *)&lsin, sizeof lsin);
    listen(l, 4);
    getsockname(l, (struct sockaddr *)&lsin, &len);
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &dst.sin6_addr);
    dst.sin6_port = lsin.sin_port;

    fd = socket(AF_INET6, SOCK_STREAM, 0);
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    check(connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0, "V6ONLY socket connects to a v4-mapped address");
    check(v6only_of(fd) == 1, "getsockopt(IPV6_V6ONLY) still answers what the program set");
    check(v6only_of(-1) == -EBADF, "getsockopt(IPV6_V6ONLY) on a bad descriptor: EBADF");
    close(fd);
    again = socket(AF_INET6, SOCK_STREAM, 0);
    check(again == fd && v6only_of(again) == 0, "a reused descriptor does not inherit the lifted option");
    check(connect(again, (struct sockaddr *)&dst, 20) == -1 && errno == EINVAL,
          "a v4-mapped sockaddr_in6 cut short is the kernel's EINVAL");
    close(again);
    close(l);
}


static ino_t inode_of(int fd)
{
    struct stat st;

    return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* After the translations above, the process expects more: its AF_INET
 * TCP and UDP sockets are born dual-stack (core/v4prog/preswap.c), connect only
 * rewrites the address, and whatever needs a genuine AF_INET socket makes
 * one again first, with exactly the kernel's IPv4 answers. */
static void test_born_dual(void)
{
    struct sockaddr_in pool = v4("198.18.0.1", 8080), local, far = v4("192.0.2.77", 0);
    struct ifreq ifr = {.ifr_name = "lo"};
    struct ip_mreq mreq = {.imr_multiaddr.s_addr = inet_addr("239.1.2.3"),
                           .imr_interface.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof local;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, tos = 0x28, v;
    ino_t ino = inode_of(fd);

    check(domain_of(fd) == AF_INET6 && get_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET,
          "socket(AF_INET) once the process translates: AF_INET6 underneath, SO_DOMAIN AF_INET");
    check(getsockname(fd, (struct sockaddr *)&local, &len) == 0 && len == sizeof local &&
              local.sin_family == AF_INET && local.sin_addr.s_addr == 0 && local.sin_port == 0,
          "  getsockname before connect: 0.0.0.0:0, 16 bytes");
    len = sizeof local;
    check(getpeername(fd, (struct sockaddr *)&local, &len) < 0 && errno == ENOTCONN,
          "  getpeername before connect: ENOTCONN");
    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
    check(connect(fd, (struct sockaddr *)&pool, sizeof pool) == 0 && inode_of(fd) == ino &&
              domain_of(fd) == AF_INET6,
          "  connect to a pool address: the same socket, no swap");
    check(get_int(fd, IPPROTO_IPV6, IPV6_TCLASS) == tos, "  IP_TOS set before it holds for IPv6");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    len = sizeof v;
    check(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len) < 0 && errno == EOPNOTSUPP &&
              domain_of(fd) == AF_INET,
          "  getsockopt IPPROTO_IPV6: AF_INET's EOPNOTSUPP (made AF_INET first)");
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    check(setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &one, sizeof one) < 0 && errno == ENOPROTOOPT &&
              domain_of(fd) == AF_INET,
          "  setsockopt IPPROTO_IPV6: AF_INET's ENOPROTOOPT");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
    check(bind(fd, (struct sockaddr *)&far, sizeof far) < 0 && errno == EADDRNOTAVAIL &&
              domain_of(fd) == AF_INET,
          "  bind to an IPv4 address not on the host: EADDRNOTAVAIL from an AF_INET socket");
    check(get_int(fd, SOL_SOCKET, SO_REUSEADDR) == 1 && get_int(fd, IPPROTO_TCP, TCP_NODELAY) == 1 &&
              get_int(fd, IPPROTO_IP, IP_TOS) == tos,
          "  options set before kept by the AF_INET socket");
    check((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
          "  O_NONBLOCK and FD_CLOEXEC kept");
    close(fd);

    /* Held by two descriptors: replacing it on one would split it in two. */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    v = dup(fd);
    far = v4("192.0.2.77", 0);
    check(bind(fd, (struct sockaddr *)&far, sizeof far) < 0 && errno == EADDRNOTAVAIL,
          "  duplicated: bind to an IPv4 address not on the host still EADDRNOTAVAIL");
    local = v4("127.0.0.1", 0);
    len = sizeof local;
    check(bind(fd, (struct sockaddr *)&local, sizeof local) == 0 && domain_of(fd) == AF_INET6 &&
              inode_of(fd) == inode_of(v) && getsockname(v, (struct sockaddr *)&local, &len) == 0 &&
              local.sin_family == AF_INET && local.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "  duplicated: bound to 127.0.0.1 as the one dual-stack socket both descriptors hold");
    close(v);
    close(fd);

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    check(ioctl(fd, SIOCGIFADDR, &ifr) == 0 &&
              ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
              domain_of(fd) == AF_INET,
          "  ioctl SIOCGIFADDR: the interface's IPv4 address, from an AF_INET socket");
    close(fd);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    check(ioctl(fd, FIONBIO, &one) == 0 && domain_of(fd) == AF_INET6,
          "  ioctl FIONBIO: generic, the socket stays dual-stack");
    close(fd);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    check(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) == 0 &&
              domain_of(fd) == AF_INET,
          "  IP_ADD_MEMBERSHIP: joined, as an AF_INET socket");
    close(fd);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    far = v4("239.1.2.3", 9);
    v = (int)sendto(fd, "x", 1, 0, (struct sockaddr *)&far, sizeof far);
    check(domain_of(fd) == AF_INET, "  sendto IPv4 multicast: sent natively, as an AF_INET socket");
    (void)v;
    close(fd);
}

int main(void)
{
    int helper, fds = open_fds(&helper);

    test_getaddrinfo();
    test_gethostbyname();
    test_blocking_connect();
    test_nonblocking_connect();
    test_errors();
    test_native();
    test_options();
    test_udp();
    test_udp_unconnected();
    test_recverr();
    test_listener();
    test_send_control();
    test_stale();
    test_threads();
    test_v6only_mapped();
    test_born_dual();
    check(open_fds(&helper) == fds, "no descriptor leaked");
    check(helper <= 4, "at most 4 connections to the helper kept");
    return report();
}
