/*
 * The descriptor lifecycle of translated sockets, from C: copies (dup,
 * dup2, dup3, F_DUPFD, F_DUPFD_CLOEXEC), close, close_range, fork, vfork,
 * exec, posix_spawn, system, popen, descriptors closed behind the
 * library's back, and signal handlers that close and dup2 while the
 * program is inside the library. Run by test/c/smoke.sh like hook_smoke.c (198.18.0.1:8080 is
 * translated to [::1]:8080). Re-executes itself as "fd_lifecycle child FD
 * EXPECT" to look at an inherited descriptor; prints one line per check
 * and "N passed, N failed".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define POOL "198.18.0.1"

extern char **environ;
static char self[4096];


/* What getpeername says about fd: "v4" (198.18.0.1:8080), "v6" ([::1]:8080),
 * "none" (ENOTCONN), or "other". */
static const char *peer_of(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    struct in_addr pool;

    inet_pton(AF_INET, POOL, &pool);
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return errno == ENOTCONN ? "none" : "other";
    if (ss.ss_family == AF_INET && len == sizeof *sin && sin->sin_addr.s_addr == pool.s_addr &&
        sin->sin_port == htons(8080))
        return "v4";
    if (ss.ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) &&
        sin6->sin6_port == htons(8080))
        return "v6";
    return "other";
}

static int is(int fd, const char *expect)
{
    return !strcmp(peer_of(fd), expect);
}

static int local_is_v4(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;

    return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_INET &&
           len == sizeof(struct sockaddr_in);
}

static int connect_v4(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(8080)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    inet_pton(AF_INET, POOL, &sin.sin_addr);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        perror("connect " POOL);
        exit(2);
    }
    return fd;
}

static int connect_v6(void)
{
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(8080),
                                .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int fd = socket(AF_INET6, SOCK_STREAM, 0);

    if (connect(fd, (struct sockaddr *)&sin6, sizeof sin6) < 0) {
        perror("connect [::1]");
        exit(2);
    }
    return fd;
}

static int exit_ok(pid_t pid)
{
    int status;

    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

/* Runs this program as "child FD EXPECT" with fd inherited (not CLOEXEC). */
static int exec_child(int fd, const char *expect)
{
    char num[16];
    pid_t pid;

    snprintf(num, sizeof num, "%d", fd);
    pid = fork();
    if (pid == 0) {
        fcntl(fd, F_SETFD, 0);
        execl(self, self, "child", num, expect, (char *)NULL);
        _exit(127);
    }
    return exit_ok(pid);
}

/* The other exec functions, each in a fork child, on fd (not CLOEXEC). */
static void test_exec_variants(int fd)
{
    static const char *const names[] = {"execv", "execvp", "execvpe", "execle", "execlp",
                                         "fexecve", "posix_spawnp"};
    char num[16], what[64];

    snprintf(num, sizeof num, "%d", fd);
    fcntl(fd, F_SETFD, 0);
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        char *argv[] = {self, "child", num, "v4", NULL};
        pid_t pid;

        if (i == 6) {
            check(posix_spawnp(&pid, self, NULL, NULL, argv, environ) == 0 && exit_ok(pid),
                  "posix_spawnp: IPv4");
            continue;
        }
        pid = fork();
        if (pid == 0) {
            switch (i) {
            case 0: execv(self, argv); break;
            case 1: execvp(self, argv); break;
            case 2: execvpe(self, argv, environ); break;
            case 3: execle(self, self, "child", num, "v4", (char *)NULL, environ); break;
            case 4: execlp(self, self, "child", num, "v4", (char *)NULL); break;
            case 5: fexecve(open(self, O_RDONLY | O_CLOEXEC), argv, environ); break;
            }
            _exit(127);
        }
        snprintf(what, sizeof what, "%s: IPv4", names[i]);
        check(exit_ok(pid), what);
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    {
        char *argv[] = {"nothing", NULL};
        errno = 0;
        check(execv("/nonexistent/program", argv) < 0 && errno == ENOENT &&
                  execvp("nonexistent-program", argv) < 0 && errno == ENOENT,
              "exec of a missing program: -1 ENOENT, as libc");
    }
}

static void test_copies(void)
{
    int fd = connect_v4(), a, b, c, d, e;

    check(is(fd, "v4") && local_is_v4(fd), "translated socket: IPv4 peer and local address");
    a = dup(fd);
    check(is(a, "v4") && local_is_v4(a), "dup copy: IPv4");
    b = dup2(fd, 100);
    check(b == 100 && is(b, "v4") && local_is_v4(b), "dup2 copy: IPv4");
    c = dup3(fd, 101, O_CLOEXEC);
    check(c == 101 && is(c, "v4") && (fcntl(c, F_GETFD) & FD_CLOEXEC), "dup3 copy: IPv4");
    d = fcntl(fd, F_DUPFD, 200);
    check(d >= 200 && is(d, "v4"), "F_DUPFD copy: IPv4");
    e = fcntl(fd, F_DUPFD_CLOEXEC, 300);
    check(e >= 300 && is(e, "v4") && (fcntl(e, F_GETFD) & FD_CLOEXEC), "F_DUPFD_CLOEXEC copy: IPv4");
    check(dup2(fd, fd) == fd && is(fd, "v4"), "dup2(fd, fd): unchanged");
    errno = 0;
    check(dup3(fd, fd, 0) < 0 && errno == EINVAL && is(fd, "v4"), "dup3(fd, fd): EINVAL, unchanged");
    check(fcntl(fd, F_GETFL) >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK) == 0 &&
              (fcntl(fd, F_GETFL) & O_NONBLOCK) && fcntl(fd, F_SETFL, 0) == 0,
          "other fcntl commands pass through with their argument");
    errno = 0;
    check(fcntl(-1, F_DUPFD, 0) < 0 && errno == EBADF, "F_DUPFD on a bad descriptor: EBADF");

    close(fd);
    check(is(a, "v4") && is(b, "v4"), "closing the original leaves the copies IPv4");
    {
        int plain = socket(AF_INET, SOCK_STREAM, 0);
        dup2(plain, b);
        check(is(b, "none") && is(a, "v4"), "dup2 of a plain socket over a copy: its entry goes");
        close(plain);
    }
    close(a);
    close(b);
    close(c);
    close(d);
    close(e);
}

static void test_close_range(void)
{
    int fd = connect_v4(), again;

    dup2(fd, 400);
    dup2(fd, 401);
    check(close_range(401, 400, 0) < 0 && errno == EINVAL && is(400, "v4") && is(401, "v4"),
          "close_range with first > last: EINVAL, nothing forgotten");
    check(close_range(400, 401, CLOSE_RANGE_CLOEXEC) == 0 && is(400, "v4") &&
              (fcntl(401, F_GETFD) & FD_CLOEXEC),
          "close_range CLOSE_RANGE_CLOEXEC: still open and IPv4");
    check(close_range(400, 401, 0) == 0 && fcntl(400, F_GETFD) < 0 && is(fd, "v4"),
          "close_range closes the copies, the original stays IPv4");
    again = dup2(socket(AF_INET, SOCK_STREAM, 0), 400);
    check(again == 400 && is(400, "none"), "a number freed by close_range has no stale entry");
    close(again);
    close(fd);
}

static void test_stale(void)
{
    int fd = connect_v4(), n;

    syscall(SYS_close, fd);             /* behind the library's back */
    n = socket(AF_INET, SOCK_STREAM, 0);
    check(n == fd && is(n, "none"), "raw close, reused by an AF_INET socket: no stale entry");
    close(n);
    fd = connect_v4();
    syscall(SYS_close, fd);
    n = connect_v6();
    check(n == fd && is(n, "v6"), "raw close, reused by a native IPv6 socket: shows IPv6");
    close(n);
}

static void test_fork(void)
{
    int fd = connect_v4();
    pid_t pid = fork();

    if (pid == 0)
        _exit(is(fd, "v4") && local_is_v4(fd) ? 0 : 1);
    check(exit_ok(pid), "fork child: IPv4");
    pid = vfork();
    if (pid == 0) {
        close(fd);                      /* the child's descriptor, not the parent's */
        dup2(0, 402);
        _exit(0);
    }
    check(exit_ok(pid) && is(fd, "v4"), "vfork child closing the socket: parent still IPv4");
    close(fd);
}

static void test_exec(void)
{
    int fd = connect_v4(), v6, stale;
    char num[16];
    pid_t pid;
    posix_spawn_file_actions_t fa;
    char *argv[] = {self, "child", "0", "v4", NULL};

    check(exec_child(fd, "v4"), "exec'd program (execl) inheriting the socket: IPv4");
    test_exec_variants(fd);
    dup2(fd, 403);
    check(exec_child(403, "v4"), "exec'd program inheriting a dup2 copy: IPv4");
    close(403);

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 0);
    check(posix_spawn(&pid, self, &fa, NULL, argv, environ) == 0 && exit_ok(pid),
          "posix_spawn with the socket moved to fd 0: IPv4");
    posix_spawn_file_actions_destroy(&fa);

    snprintf(num, sizeof num, "%d", 404);
    pid = vfork();
    if (pid == 0) {
        dup2(fd, 404);
        execl(self, self, "child", num, "v4", (char *)NULL);
        _exit(127);
    }
    check(exit_ok(pid) && is(fd, "v4"), "vfork + dup2 + exec: the child sees IPv4, the parent too");

    {
        char cmd[sizeof self + 64];
        FILE *f;
        snprintf(cmd, sizeof cmd, "%s child %d v4", self, fd);
        fcntl(fd, F_SETFD, 0);
        check(system(cmd) == 0, "system(): the shell's child sees IPv4");
        f = popen(cmd, "r");
        check(f && pclose(f) == 0, "popen(): the shell's child sees IPv4");
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }

    v6 = connect_v6();
    check(exec_child(v6, "v6"), "exec'd program inheriting a native IPv6 socket: IPv6");
    close(v6);

    /* The record for fd travels, but fd itself does not (CLOEXEC): the
     * number is reused in the new program by its own IPv6 socket. */
    stale = fd;
    snprintf(num, sizeof num, "%d", stale);
    pid = fork();
    if (pid == 0) {
        execl(self, self, "reuse", num, (char *)NULL);
        _exit(127);
    }
    check(exit_ok(pid), "exec'd program reusing the number of a record: its own socket shows IPv6");
    close(fd);
}

static volatile sig_atomic_t spare_fd = -1, handled;

static void on_prof(int sig)
{
    int saved = errno;

    (void)sig;
    if (dup2(spare_fd, 900) == 900)
        close(900);
    handled++;
    errno = saved;
}

/* The handler closes and dup2s translated copies while the main thread is
 * in connect, dup and getpeername; the old mutex would deadlock here.
 * alarm() kills the test if it hangs. */
static void test_signals(void)
{
    struct sigaction sa = {.sa_handler = on_prof, .sa_flags = SA_RESTART};
    struct itimerval every = {{0, 200}, {0, 200}}, off = {{0, 0}, {0, 0}};
    int bad = 0;

    spare_fd = connect_v4();
    sigaction(SIGPROF, &sa, NULL);
    alarm(20);
    setitimer(ITIMER_PROF, &every, NULL);
    for (int i = 0; handled < 300 && i < 2000000; i++) {
        int d = dup(spare_fd);
        bad += !is(d, "v4");
        close(d);
        if (i % 200 == 0) {
            int fd = connect_v4();
            bad += !is(fd, "v4");
            close(fd);
        }
    }
    setitimer(ITIMER_PROF, &off, NULL);
    alarm(0);
    printf("     (%d signals handled)\n", (int)handled);
    check(bad == 0 && is(spare_fd, "v4") && fcntl(900, F_GETFD) < 0,
          "signal handler doing dup2/close during connect/dup/getpeername: no deadlock, all IPv4");
    close(spare_fd);
}

static int child(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "child")) {
        int fd = atoi(argv[2]);
        return !(is(fd, argv[3]) && (strcmp(argv[3], "v4") || local_is_v4(fd)));
    }
    if (argc == 3 && !strcmp(argv[1], "reuse")) {
        int want = atoi(argv[2]), fd = -1;
        /* Fill the numbers below want, so that the new socket gets it. */
        while ((fd = connect_v6()) < want)
            ;
        return !(fd == want && is(fd, "v6") && getenv("BIA_TRANSLATED"));
    }
    return 2;
}

int main(int argc, char **argv)
{
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    if (n < 0)
        return 2;
    self[n] = '\0';
    if (argc > 1)
        return child(argc, argv);
    test_copies();
    test_close_range();
    test_stale();
    test_fork();
    test_exec();
    test_signals();
    return report();
}
