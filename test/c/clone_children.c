/*
 * A translated socket in children made every way a process can be made
 * (issue 16 item 2): raw clone() and clone3() system calls, which run no
 * atfork handler (vsftpd's isolate, bubblewrap, sandboxes), one into a new
 * pid namespace (the child is pid 1, as vsftpd's), clone with CLONE_VM
 * (with and without CLONE_VFORK, on a stack of its own), vfork and
 * posix_spawn. Each child dup2s the inherited socket and checks that the
 * copy, the original and dup's copy still show IPv4 peer and local
 * addresses; a child with its own memory also connects a socket of its
 * own. A child sharing the parent's memory must leave the parent's tables
 * alone (also an IPv6 program's: IPV6_V6ONLY lifted for a v4-mapped peer). Run by test/c/smoke.sh (198.18.0.1:8080 is translated to
 * [::1]:8080); prints one line per check and "N passed, N failed".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define POOL "198.18.0.1"
#define COPY 60         /* where each child puts its copy */
#define PARENTS 61      /* the parent's own second socket, which the children overwrite */
#define LIFTED 62       /* the parent's IPv6 socket whose IPV6_V6ONLY bia lifted */

extern char **environ;
static char self[4096];
static char stack[256 * 1024] __attribute__((aligned(16)));

/* getpeername and getsockname of fd show the IPv4 pool peer and an IPv4 local address. */
static int shows_v4(int fd)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    socklen_t len = sizeof ss;
    struct in_addr pool;

    inet_pton(AF_INET, POOL, &pool);
    if (getpeername(fd, (struct sockaddr *)&ss, &len) || ss.ss_family != AF_INET ||
        len != sizeof *sin || sin->sin_addr.s_addr != pool.s_addr || sin->sin_port != htons(8080))
        return 0;
    len = sizeof ss;
    return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_INET &&
           len == sizeof *sin;
}

static int connect_v4(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(8080)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    inet_pton(AF_INET, POOL, &sin.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
        return -1;
    return fd;
}

/* What every child checks; own_memory: it may also record a socket of its own. */
static int child_checks(int fd, int own_memory)
{
    int ok = dup2(fd, COPY) == COPY && shows_v4(COPY) && shows_v4(fd), d = dup(fd), fresh;

    ok = ok && d >= 0 && shows_v4(d);
    if (own_memory) {
        fresh = connect_v4();
        ok = ok && fresh >= 0 && shows_v4(fresh) && dup2(fresh, COPY) == COPY && shows_v4(COPY);
    }
    return ok ? 0 : 1;
}

static int exit_ok(pid_t pid)
{
    int status;

    return pid > 0 && waitpid(pid, &status, __WALL) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

static int translated;

static int shared_child(void *arg)
{
    (void)arg;
    return child_checks(translated, 0);
}

/* A raw clone system call with flags (no CLONE_VM): glibc sees no fork. */
static pid_t raw_clone(unsigned long flags)
{
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);

    if (pid == 0)
        _exit(child_checks(translated, 1));
    return pid;
}

static pid_t raw_clone3(void)
{
    struct clone_args args = {.exit_signal = SIGCHLD};
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);

    if (pid == 0)
        _exit(child_checks(translated, 1));
    return pid;
}

/* A child sharing this memory (clone with CLONE_VM, on its own stack). */
static int vm_child(int flags, const char *what)
{
    char line[128];
    pid_t pid = clone(shared_child, stack + sizeof stack, flags | CLONE_VM | SIGCHLD, NULL);
    int ok = exit_ok(pid);

    snprintf(line, sizeof line, "%s: the child's dup2 copy shows IPv4", what);
    check(ok, line);
    snprintf(line, sizeof line, "%s: the parent's own socket on the copy's number still shows IPv4", what);
    check(shows_v4(PARENTS), line);
    return ok;
}

static void test_clones(void)
{
    pid_t pid;

    check(exit_ok(raw_clone(0)), "raw clone(SIGCHLD): the child's dup2 copy and its own socket show IPv4");
    check(exit_ok(raw_clone3()), "clone3: the child's dup2 copy and its own socket show IPv4");
    pid = raw_clone(CLONE_NEWPID | CLONE_NEWIPC);
    if (pid < 0 && (errno == EPERM || errno == EINVAL))
        printf("skip clone into a new pid namespace: %s\n", strerror(errno));
    else
        check(exit_ok(pid), "raw clone into a new pid namespace (the child is pid 1): IPv4");
    vm_child(CLONE_VFORK, "clone(CLONE_VM|CLONE_VFORK)");
    vm_child(0, "clone(CLONE_VM), beside the parent");
    pid = vfork();
    if (pid == 0)
        _exit(child_checks(translated, 0));
    check(exit_ok(pid) && shows_v4(PARENTS), "vfork: the child's dup2 copy shows IPv4, the parent's table is untouched");
}

static int v6only_of(int fd)
{
    int on = -1;
    socklen_t len = sizeof on;

    return getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len) ? -1 : on;
}

/* An IPv6 socket with IPV6_V6ONLY set, connected to a v4-mapped peer: bia
 * lifts the option and still answers 1. */
static int lifted_socket(const struct sockaddr_in6 *to)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);

    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, sizeof(int));
    return connect(fd, (const struct sockaddr *)to, sizeof *to) ? -1 : fd;
}

/* A vfork child dup2s its lifted socket over the number of the parent's. */
static void test_v6only(void)
{
    struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in6 to = {.sin6_family = AF_INET6};
    socklen_t len = sizeof local;
    int l = socket(AF_INET, SOCK_STREAM, 0), p, q;
    pid_t pid;

    bind(l, (struct sockaddr *)&local, sizeof local);
    listen(l, 4);
    getsockname(l, (struct sockaddr *)&local, &len);
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &to.sin6_addr);
    to.sin6_port = local.sin_port;
    p = lifted_socket(&to);
    q = lifted_socket(&to);
    check(p >= 0 && q >= 0 && dup2(p, LIFTED) == LIFTED && v6only_of(LIFTED) == 1 && v6only_of(q) == 1,
          "IPv6 sockets connected to a v4-mapped peer: IPV6_V6ONLY still reads 1");
    pid = vfork();
    if (pid == 0)
        _exit(dup2(q, LIFTED) == LIFTED && v6only_of(LIFTED) == 1 ? 0 : 1);
    check(exit_ok(pid), "vfork child's dup2 of its socket over the parent's number: IPV6_V6ONLY reads 1");
    check(v6only_of(LIFTED) == 1, "... and the parent's socket on that number still reads 1");
    close(p);
    close(q);
    close(LIFTED);
    close(l);
}

static void test_spawn(void)
{
    char num[16];
    char *argv[] = {self, "child", num, NULL};
    posix_spawn_file_actions_t fa;
    pid_t pid;

    snprintf(num, sizeof num, "%d", COPY);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, translated, COPY);
    check(posix_spawn(&pid, self, &fa, NULL, argv, environ) == 0 && exit_ok(pid),
          "posix_spawn with the socket moved by adddup2: the program shows IPv4");
    posix_spawn_file_actions_destroy(&fa);
}

int main(int argc, char **argv)
{
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    int parents;

    if (n < 0)
        return 2;
    self[n] = '\0';
    if (argc == 3 && !strcmp(argv[1], "child"))
        return !shows_v4(atoi(argv[2]));
    translated = connect_v4();
    parents = connect_v4();
    if (translated < 0 || parents < 0 || dup2(parents, PARENTS) != PARENTS) {
        perror("connect " POOL);
        return 2;
    }
    close(parents);
    check(shows_v4(translated) && shows_v4(PARENTS), "the parent's translated sockets show IPv4");
    fflush(stdout);
    test_clones();
    test_spawn();
    test_v6only();
    return report();
}
