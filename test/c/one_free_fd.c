/*
 * connect() with exactly one descriptor free before its socket() (issue
 * 17 item 8): the swap to IPv6 and the request to the helper each need a
 * descriptor of their own, and connect must never fail with EMFILE, an
 * errno it does not return natively. Each case runs in a fresh process
 * (this program re-executed), so that nothing is known or kept yet: the
 * socket is born AF_INET and the connect asks the helper, then swaps.
 * TCP and UDP, blocking and non-blocking; with a soft limit below the
 * hard one (the library takes a descriptor past it), at it after a name
 * lookup (the library gives up the helper connection it kept), and at it
 * with nothing kept (then the connect fails as the kernel could: ENOBUFS,
 * or the helper out of reach, EHOSTUNREACH, or no network known,
 * ENETUNREACH; never EMFILE). Run by
 * test/c/smoke.sh (198.18.0.1:8080 is translated to [::1]:8080).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define LIMIT 64

/* Fills every descriptor below the limit but one. */
static int leave_one_free(int hard)
{
    struct rlimit lim = {LIMIT, hard ? LIMIT : LIMIT + 64};
    int last = -1, fd;

    if (setrlimit(RLIMIT_NOFILE, &lim))
        return -1;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        last = fd;
    return errno == EMFILE && last >= 0 ? close(last) : -1;
}

/* The connect's outcome, once complete: 0 or its errno. */
static int connect_outcome(int fd, const struct sockaddr_in *to, int nonblocking)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t len = sizeof err;

    if (connect(fd, (const struct sockaddr *)to, sizeof *to) == 0)
        return 0;
    if (!nonblocking || errno != EINPROGRESS)
        return errno;
    if (poll(&p, 1, 3000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
        return ETIMEDOUT;
    return err;
}

static int peer_is_v4(int fd, const struct sockaddr_in *to)
{
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;

    return getpeername(fd, (struct sockaddr *)&peer, &len) == 0 && len == sizeof peer &&
           peer.sin_family == AF_INET && peer.sin_addr.s_addr == to->sin_addr.s_addr;
}

/* LeakSanitizer needs descriptors at exit. */
static int finish(int status)
{
    close_range(3, ~0u, 0);
    return status;
}

/* One case, in a fresh process; limit: "soft" below the hard one, "hard"
 * at it after a lookup, "cold" at it with nothing kept. 0 if it went as
 * it should; 100 + errno for an unexpected one. */
static int one_case(const char *proto, const char *mode, const char *limit)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(8080)};
    int udp = !strcmp(proto, "udp"), nonblocking = !strcmp(mode, "nonblock");
    int cold = !strcmp(limit, "cold"), fd, err;
    struct addrinfo *ai;

    inet_pton(AF_INET, "198.18.0.1", &to.sin_addr);
    if (!strcmp(limit, "hard")) {   /* the lookup leaves a helper connection kept */
        if (getaddrinfo("v6only.test", NULL, &(struct addrinfo){.ai_family = AF_INET}, &ai))
            return 8;
        freeaddrinfo(ai);
    }
    if (leave_one_free(strcmp(limit, "soft")))
        return 3;
    fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0)
        return 4;
    err = connect_outcome(fd, &to, nonblocking);
    if (err == EMFILE)
        return 5;
    /* No room at all and nothing kept: the kernel's errnos for a connect
     * short of resources, or of a route (the helper is out of reach). */
    if (err)
        return cold && (err == ENOBUFS || err == EHOSTUNREACH || err == ENETUNREACH) ? 0 : 100 + err;
    return peer_is_v4(fd, &to) ? 0 : 7;
}

int main(int argc, char **argv)
{
    static const char *const protos[] = {"tcp", "udp"}, *const modes[] = {"block", "nonblock"},
                             *const limits[] = {"soft", "hard", "cold"},
                             *const labels[] = {"soft limit", "hard limit after a lookup",
                                                "hard limit, nothing kept"};
    char self[4096], what[160];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    if (argc == 4)
        return finish(one_case(argv[1], argv[2], argv[3]));
    if (n < 0)
        return 2;
    self[n] = '\0';
    for (int p = 0; p < 2; p++)
        for (int m = 0; m < 2; m++)
            for (int l = 0; l < 3; l++) {
                int status = -1;
                pid_t pid = fork();
                if (pid == 0) {
                    execl(self, self, protos[p], modes[m], limits[l], (char *)NULL);
                    _exit(127);
                }
                waitpid(pid, &status, 0);
                snprintf(what, sizeof what, "%s %s connect, one free descriptor, %s: %s (status %d)",
                         protos[p], modes[m], labels[l],
                         l == 2 ? "a kernel's errno, never EMFILE" : "connected, IPv4 peer",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                check(WIFEXITED(status) && WEXITSTATUS(status) == 0, what);
            }
    return report();
}
