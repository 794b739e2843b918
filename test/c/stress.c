/*
 * Concurrency stress for the preload, run through `bia run` in the
 * IPv6-only lab (test/e2e/stress.test.ts). Every connection is checked
 * against the identity its server echoes ("<server address> <port>"), so a
 * connection that reaches the wrong peer, a descriptor swapped under the
 * wrong thread or a mapping mixed up between threads all show as failures.
 *
 *   stress serve PORT COUNT        identity servers on [::]:PORT..PORT+COUNT-1
 *   stress run PORT COUNT          every phase below, as the client
 *   stress child PORT              one checked connection (spawned/exec'd)
 *
 * Phases: 64 threads x STRESS_ITERATIONS (default 1,000) resolves +
 * connects + closes, mixed translated (pool and paired addresses) and
 * native (loopback, IPv6 literal); a fork storm while threads keep working
 * (children resolve and connect right after fork); vfork+exec and
 * posix_spawn storms; signal handlers that connect (translated and
 * loopback), read and close, also while their thread is inside bia; and
 * programs that close every descriptor (close_range, a close loop) and then
 * use the network, with the program's own descriptors on every low number.
 * No descriptor may leak (/proc/self/fd before and after each phase) and a
 * watchdog turns a deadlock into a failure instead of a hang.
 */
#define _GNU_SOURCE
#include "check.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define THREADS 64
#define PEER_A "2001:db8:1::2"
#define PEER_B "2001:db8:1::3"

static int base_port, port_count, iterations = 1000;
static atomic_long progress;        /* bumped by every finished connection */
static atomic_int bad;              /* connections that failed their check */
static char first_error[256];
static atomic_flag error_taken = ATOMIC_FLAG_INIT;

static void fail(const char *fmt, const char *a, int b)
{
    atomic_fetch_add(&bad, 1);
    if (!atomic_flag_test_and_set(&error_taken))
        snprintf(first_error, sizeof first_error, fmt, a, b);
}

/* ---- the identity servers ----------------------------------------------- */

static void *serve_port(void *arg)
{
    int port = (int)(long)arg, s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};

    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 4096)) {
        perror("stress serve: bind/listen");
        exit(1);
    }
    for (;;) {
        struct sockaddr_in6 local;
        socklen_t len = sizeof local;
        char addr[INET6_ADDRSTRLEN], line[96];
        int c = accept(s, NULL, NULL);

        if (c < 0)
            continue;
        getsockname(c, (struct sockaddr *)&local, &len);
        inet_ntop(AF_INET6, &local.sin6_addr, addr, sizeof addr);
        (void)!write(c, line, (size_t)snprintf(line, sizeof line, "%s %d\n", addr, port));
        close(c);
    }
    return NULL;
}

static int serve(void)
{
    pthread_t t;

    for (int i = 0; i < port_count; i++)
        pthread_create(&t, NULL, serve_port, (void *)(long)(base_port + i));
    printf("serving\n");
    fflush(stdout);
    pause();
    return 0;
}

/* ---- one checked connection --------------------------------------------- */

enum target { POOL_NAME, PAIRED_NAME, MULTI_NAME, LOOPBACK, LITERAL6, TARGETS };

/* multi.test has two IPv6 addresses: a pool address may stand for either,
 * but once one connection through it reached a server, all must reach that one. */
static struct { unsigned v4; char identity[96]; } multi_seen[8];
static pthread_mutex_t multi_lock = PTHREAD_MUTEX_INITIALIZER;

static void multi_identity(unsigned v4, const char *got, char *want, size_t size)
{
    pthread_mutex_lock(&multi_lock);
    for (int i = 0; i < 8; i++) {
        if (!multi_seen[i].v4) {
            multi_seen[i].v4 = v4;
            snprintf(multi_seen[i].identity, sizeof multi_seen[i].identity, "%s", got);
        }
        if (multi_seen[i].v4 == v4) {
            /* The same server address; the port is this connection's own. */
            snprintf(want, size, "%.*s%s", (int)strcspn(multi_seen[i].identity, " "), multi_seen[i].identity, strchr(want, ' '));
            break;
        }
    }
    pthread_mutex_unlock(&multi_lock);
}

static int resolve4(const char *name, int how, struct in_addr *out)
{
    if (how) {
        struct hostent h, *r;
        char buf[2048];
        int err;

        if (gethostbyname_r(name, &h, buf, sizeof buf, &r, &err) || !r)
            return -1;
        memcpy(out, r->h_addr_list[0], 4);
        return 0;
    }
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(name, NULL, &hints, &res))
        return -1;
    *out = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return 0;
}

/* Connects, waiting out an EINTR the way a careful program does. */
static int connect_retrying(int s, const struct sockaddr *a, socklen_t len)
{
    if (connect(s, a, len) == 0)
        return 0;
    if (errno != EINTR && errno != EINPROGRESS)
        return -1;
    struct pollfd p = {.fd = s, .events = POLLOUT};
    int err = 0;
    socklen_t el = sizeof err;
    while (poll(&p, 1, 10000) < 0 && errno == EINTR)
        ;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el);
    errno = err;
    return err ? -1 : 0;
}

static int read_line(int s, char *buf, size_t size)
{
    size_t got = 0;
    ssize_t n;

    while (got < size - 1 && (n = read(s, buf + got, size - 1 - got)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
    }
    buf[got] = 0;
    return (int)got;
}

/* Resolves (unless numeric), connects, reads the identity and checks it; returns 0 when right. */
static int one_connection(enum target t, int port, int how)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    char want[96], got[96], what[64];
    int s, family;

    snprintf(what, sizeof what, "target %d port %d", (int)t, port);
    if (t == LITERAL6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        inet_pton(AF_INET6, PEER_B, &a->sin6_addr);
        len = sizeof *a;
        snprintf(want, sizeof want, "%s %d\n", PEER_B, port);
    } else {
        static const char *const names[] = {"v6only.test", "dual.test", "multi.test"};
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (t == LOOPBACK)
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else if (resolve4(names[t], how, &a->sin_addr)) {
            fail("%s: lookup failed (%d)", names[t], errno);
            return -1;
        }
        len = sizeof *a;
        snprintf(want, sizeof want, "%s %d\n", t == LOOPBACK ? "::ffff:127.0.0.1" : PEER_A, port);
    }
    s = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect_retrying(s, (struct sockaddr *)&ss, len)) {
        fail("%s: connect failed, errno %d", what, errno);
        if (s >= 0)
            close(s);
        return -1;
    }
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    if (getpeername(s, (struct sockaddr *)&peer, &plen) || plen != len || memcmp(&peer, &ss, len)) {
        fail("%s: getpeername is not the address connected to (%d)", what, 0);
        close(s);
        return -1;
    }
    int n = read_line(s, got, sizeof got);
    close(s);
    if (n <= 0) {
        fail("%s: no identity (errno %d)", what, errno);
        return -1;
    }
    if (t == MULTI_NAME)
        multi_identity(((struct sockaddr_in *)&ss)->sin_addr.s_addr, got, want, sizeof want);
    if (strcmp(got, want)) {
        fail("wrong peer: %s", got, 0);
        return -1;
    }
    atomic_fetch_add(&progress, 1);
    return 0;
}

/* ---- watchdog and descriptors -------------------------------------------- */

static const char *volatile phase = "start";

/* Blocks or unblocks SIGALRM in the calling thread. */
static void alarm_mask(int how)
{
    sigset_t alrm;

    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    pthread_sigmask(how, &alrm, NULL);
}

static void *watchdog(void *arg)
{
    long last = -1;
    int still = 0;

    (void)arg;
    alarm_mask(SIG_BLOCK);     /* SIGALRM is for the threads at work */
    for (;;) {
        sleep(1);
        long now = atomic_load(&progress);
        still = now == last ? still + 1 : 0;
        last = now;
        if (still >= 60) {
            printf("FAIL no progress for 60 s in phase %s: deadlock\n", phase);
            fflush(stdout);
            _exit(3);
        }
    }
    return NULL;
}

/* Lists what each descriptor is, for a failed leak check. */
static void show_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;

    while ((e = readdir(d))) {
        char path[300], target[256];
        ssize_t n;
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        if (e->d_name[0] != '.' && (n = readlink(path, target, sizeof target - 1)) > 0)
            printf("     fd %s -> %.*s\n", e->d_name, (int)n, target);
    }
    closedir(d);
}

/* The library keeps up to this many idle helper connections per process
 * (preload/core/client/helper_conn.h): they are bia's, bounded, and not a leak. */
#define HELPER_CONNS_KEPT 4

static bool is_helper_connection(int fd)
{
    const char *helper = getenv("BIA_SOCKET");
    struct sockaddr_un peer;
    socklen_t len = sizeof peer;
    int domain;
    socklen_t dlen = sizeof domain;

    if (!helper || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) != 0 || domain != AF_UNIX)
        return false;
    if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || len <= offsetof(struct sockaddr_un, sun_path))
        return false;
    return strncmp(peer.sun_path, helper, sizeof peer.sun_path) == 0;
}

/* The program's own descriptors: all but the directory being read and the
 * library's kept helper connections (checked against their bound). */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0, kept = 0;

    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
            continue;
        if (is_helper_connection(atoi(e->d_name)))
            kept++;
        else
            n++;
    }
    closedir(d);
    if (kept > HELPER_CONNS_KEPT)
        check(0, "the library keeps at most 4 helper connections");
    return n;
}

/* ---- phases ---------------------------------------------------------------- */

static void *worker(void *arg)
{
    long id = (long)arg;

    for (int i = 0; i < iterations; i++) {
        long k = id * iterations + i;
        one_connection((enum target)(k % TARGETS), base_port + (int)(k / TARGETS % port_count), (int)(k / 7 % 2));
    }
    return NULL;
}

static void run_threads(int n)
{
    pthread_t t[THREADS];

    for (long i = 0; i < n; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

static void phase_threads(void)
{
    int before = count_fds();

    phase = "threads";
    atomic_store(&bad, 0);
    run_threads(THREADS);
    char what[512];
    snprintf(what, sizeof what, "%d threads x %d resolves + connects + closes reach the right peer (%d failed; first error: %s)",
             THREADS, iterations, atomic_load(&bad), atomic_load(&bad) ? first_error : "none");
    check(atomic_load(&bad) == 0, what);
    snprintf(what, sizeof what, "no descriptor leaked by the threads (%d before, %d after)", before, count_fds());
    check(count_fds() <= before, what);
}

static int exit_ok(pid_t pid)
{
    int st;

    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 0;
    if (WIFSIGNALED(st))
        printf("     child %d killed by signal %d%s\n", (int)pid, WTERMSIG(st), WTERMSIG(st) == SIGALRM ? " (deadlocked)" : "");
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A child right after fork: one lookup + connection of each translated kind, or it dies of SIGALRM. */
static void forked_child(int k)
{
    alarm(30);
    for (int t = POOL_NAME; t <= MULTI_NAME; t++)
        if (one_connection((enum target)t, base_port + k % port_count, k % 2))
            _exit(1);
    _exit(0);
}

static atomic_int background_stop;

static void *background(void *arg)
{
    long id = (long)arg;

    for (long k = id; !atomic_load(&background_stop); k += 8)
        one_connection((enum target)(k % TARGETS), base_port + (int)(k % port_count), (int)(k % 2));
    return NULL;
}

/* Runs BODY while 8 threads keep resolving and connecting, as a busy program forks. */
static void with_background(void (*body)(void))
{
    pthread_t t[8];

    atomic_store(&background_stop, 0);
    for (long i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, background, (void *)i);
    body();
    atomic_store(&background_stop, 1);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
}

static int children_failed;

static void fork_storm(void)
{
    int n = iterations < 100 ? 50 : 200;
    pid_t pids[200];

    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            forked_child(i);
    }
    for (int i = 0; i < n; i++)
        children_failed += !exit_ok(pids[i]);
}

static char self_path[4096];

static void spawn_storm(void)
{
    char port[16];
    int n = iterations < 100 ? 20 : 100;

    snprintf(port, sizeof port, "%d", base_port);
    for (int i = 0; i < n; i++) {
        char *argv[] = {self_path, "child", port, NULL};
        pid_t pid;
        if (i % 2) {
            if (posix_spawn(&pid, self_path, NULL, NULL, argv, environ)) {
                children_failed++;
                continue;
            }
        } else if ((pid = vfork()) == 0) {
            execve(self_path, argv, environ);
            _exit(127);
        }
        children_failed += !exit_ok(pid);
    }
}

static void phase_children(const char *name, void (*storm)(void))
{
    char what[512];
    int before = count_fds();

    phase = name;
    atomic_store(&bad, 0);
    children_failed = 0;
    with_background(storm);
    snprintf(what, sizeof what, "%s while 8 threads connect: every child reached its peers (%d failed), parent too (first error: %s)",
             name, children_failed, atomic_load(&bad) ? first_error : "none");
    check(children_failed == 0 && atomic_load(&bad) == 0, what);
    snprintf(what, sizeof what, "no descriptor leaked by the %s (%d before, %d after)", name, before, count_fds());
    check(count_fds() <= before, what);
}

/*
 * Signal handlers that connect (translated and loopback), read the identity
 * and close: all async-signal-safe in libc, so they must work even when the
 * handler interrupts its thread inside one of bia's own calls (the sigaction
 * hook, preload/core/runtime/sigwrap.c). Counted per target.
 */
static struct sockaddr_in handler_target[2];   /* [0] translated, [1] loopback */
static volatile sig_atomic_t handled[2], handler_bad[2], handler_errno[2];

static void on_alarm(int sig)
{
    int saved = errno, which = (handled[0] + handled[1]) % 2, s;
    char buf[96];

    (void)sig;
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&handler_target[which], sizeof handler_target[which]) ||
        read(s, buf, sizeof buf) <= 0) {
        handler_errno[which] = errno;
        handler_bad[which]++;
    }
    if (s >= 0)
        close(s);
    handled[which]++;
    errno = saved;
}

/* Work that never enters bia: what a program mostly does when a signal comes. */
static void *plain_work(void *arg)
{
    struct timespec ms = {0, 1000000};

    alarm_mask(SIG_UNBLOCK);
    for (int i = 0; i < (long)arg; i++)
        nanosleep(&ms, NULL);
    return NULL;
}

/* A worker that takes the alarms: it spends its time inside bia's calls. */
static void *alarmed_worker(void *arg)
{
    alarm_mask(SIG_UNBLOCK);
    return worker(arg);
}

/* Runs body's threads under a timer every 3 ms. Only they take SIGALRM
 * (the main thread and the watchdog block it), so the handlers interrupt
 * them wherever they are: for connecting threads, mostly inside bia. */
static void with_alarms(void *(*thread)(void *), long arg)
{
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    struct itimerval every = {{0, 3000}, {0, 3000}}, off = {0};
    pthread_t t[4];

    for (int i = 0; i < 2; i++)
        handled[i] = handler_bad[i] = handler_errno[i] = 0;
    sigaction(SIGALRM, &sa, NULL);
    alarm_mask(SIG_BLOCK);
    setitimer(ITIMER_REAL, &every, NULL);
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, thread, (void *)(arg < 0 ? i : arg));
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_IGN);   /* discards an alarm still pending, which SIG_DFL would die of */
    alarm_mask(SIG_UNBLOCK);
    signal(SIGALRM, SIG_DFL);
}

static void signal_round(void)
{
    char what[512];
    int before = count_fds();

    with_alarms(plain_work, iterations < 100 ? 300 : 1000);
    snprintf(what, sizeof what, "signal handlers connecting and closing while threads work: %d translated (%d failed, errno %d), %d loopback (%d failed)",
             (int)handled[0], (int)handler_bad[0], (int)handler_errno[0], (int)handled[1], (int)handler_bad[1]);
    check(handled[0] > 0 && handled[1] > 0 && !handler_bad[0] && !handler_bad[1], what);

    atomic_store(&bad, 0);
    with_alarms(alarmed_worker, -1);
    snprintf(what, sizeof what, "signal handlers interrupting threads inside bia's calls: no deadlock, %d translated (%d failed, errno %d), %d loopback (%d failed), threads right (first error: %s)",
             (int)handled[0], (int)handler_bad[0], (int)handler_errno[0], (int)handled[1], (int)handler_bad[1],
             atomic_load(&bad) ? first_error : "none");
    check(handled[0] > 0 && handled[1] > 0 && !handler_bad[0] && !handler_bad[1] && atomic_load(&bad) == 0, what);
    int after = count_fds();
    snprintf(what, sizeof what, "no descriptor leaked by the signal handlers (%d before, %d after)", before, after);
    check(after <= before, what);
    if (after > before)
        show_fds();
}

/* STRESS_SIGNAL_LOOPS rounds (default 1): a rare race needs many. */
static void phase_signals(void)
{
    const char *knob = getenv("STRESS_SIGNAL_LOOPS");
    int loops = knob ? atoi(knob) : 1;

    phase = "signals";
    handler_target[0].sin_family = handler_target[1].sin_family = AF_INET;
    handler_target[0].sin_port = handler_target[1].sin_port = htons((uint16_t)base_port);
    resolve4("v6only.test", 0, &handler_target[0].sin_addr);
    handler_target[1].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < loops; i++)
        signal_round();
}

/* Every low number is the program's (a pipe's write end): bia must write into none of them. */
static int network_after_closing_all(void)
{
    int p[2], errors = 0;
    char c;

    if (pipe2(p, O_CLOEXEC))
        return 1;
    for (int fd = 3; fd < 32; fd++)
        if (fd != p[0] && fd != p[1])
            dup2(p[1], fd);
    atomic_store(&bad, 0);
    for (int t = POOL_NAME; t < TARGETS; t++)
        errors += one_connection((enum target)t, base_port, t % 2) != 0;
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    if (read(p[0], &c, 1) != -1 || errno != EAGAIN) {
        printf("     bia wrote into a descriptor the program owns\n");
        errors++;
    }
    for (int fd = 3; fd < 32; fd++)
        if (fd != p[0])
            close(fd);
    close(p[0]);
    return errors;
}

static void phase_close_all(void)
{
    char what[512];

    phase = "close-all";
    one_connection(POOL_NAME, base_port, 0);   /* the library has talked to its helper */
    close_range(3, ~0U, 0);
    int errors = network_after_closing_all();
    snprintf(what, sizeof what, "close_range(3, ~0U) then the network, every low descriptor the program's: %d errors (%s)",
             errors, errors ? first_error : "none");
    check(errors == 0, what);
    one_connection(POOL_NAME, base_port, 1);
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    errors = network_after_closing_all();
    snprintf(what, sizeof what, "a close() loop over every descriptor then the network: %d errors (%s)", errors, errors ? first_error : "none");
    check(errors == 0, what);
}

int main(int argc, char **argv)
{
    pthread_t dog;
    const char *knob = getenv("STRESS_ITERATIONS");

    if (argc < 3) {
        fprintf(stderr, "usage: stress serve|run PORT COUNT | stress child PORT\n");
        return 2;
    }
    base_port = atoi(argv[2]);
    port_count = argc > 3 ? atoi(argv[3]) : 1;
    if (knob)
        iterations = atoi(knob);
    if (!strcmp(argv[1], "serve"))
        return serve();
    if (!strcmp(argv[1], "child")) {
        alarm(30);
        for (int t = POOL_NAME; t < TARGETS; t++)
            if (one_connection((enum target)t, base_port, t % 2))
                return 1;
        return 0;
    }
    if (readlink("/proc/self/exe", self_path, sizeof self_path - 1) < 0)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    pthread_create(&dog, NULL, watchdog, NULL);
    /* Warm up (the library's helper connection, the process cache) before counting descriptors. */
    for (int t = POOL_NAME; t < TARGETS; t++)
        one_connection((enum target)t, base_port, 0);
    phase_threads();
    phase_children("fork storm", fork_storm);
    phase_children("vfork+exec and posix_spawn storm", spawn_storm);
    phase_signals();
    phase_close_all();
    return report();
}
