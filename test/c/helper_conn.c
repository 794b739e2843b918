/*
 * The preload's connections to the helper (preload/core/client/helper_conn.c), seen
 * from the program: how many Unix sockets to $BIA_SOCKET the process holds,
 * and which (by inode), across many calls, threads, fork, a helper that
 * hangs up (test/c/fake_helper.py "restart.test"), and a program that closes
 * or overwrites every descriptor behind the library's back. Every lookup is
 * of an IPv6 literal the process has not asked for before, so each one is a
 * helper round trip (the fake helper gives each a new pool address).
 */
#define _GNU_SOURCE
#include "check.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 8
#define PER_THREAD 100

static unsigned next_literal;

/* getaddrinfo(AF_INET) of a new IPv6 literal: the pool address, or 0. */
static in_addr_t lookup_new(unsigned tag, unsigned n)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    char name[64];
    in_addr_t a;

    snprintf(name, sizeof name, "2001:db8:%x:%x::%x", getpid() & 0xffff, tag, n);
    if (getaddrinfo(name, NULL, &hints, &res))
        return 0;
    a = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
    freeaddrinfo(res);
    return a;
}

static in_addr_t lookup(void)
{
    return lookup_new(0xffff, __atomic_add_fetch(&next_literal, 1, __ATOMIC_RELAXED));
}

/* The inodes of the process's connections to the helper (at most max);
 * returns how many there are. */
static int helper_inodes(ino_t *out, int max)
{
    const char *path = getenv("BIA_SOCKET");
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = 0;

    while ((de = readdir(d))) {
        int fd = atoi(de->d_name);
        struct sockaddr_un sun;
        socklen_t len = sizeof sun;
        struct stat st;
        if (fd == dirfd(d) || de->d_name[0] == '.' || fstat(fd, &st) || !S_ISSOCK(st.st_mode))
            continue;
        if (getpeername(fd, (struct sockaddr *)&sun, &len) == 0 && sun.sun_family == AF_UNIX &&
            strcmp(sun.sun_path, path) == 0) {
            if (n < max)
                out[n] = st.st_ino;
            n++;
        }
    }
    closedir(d);
    return n;
}

/* Their count, and the inode of one of them (0 if none). */
static int helper_conns(ino_t *ino)
{
    *ino = 0;
    return helper_inodes(ino, 1);
}

static void test_one_connection_for_many_calls(void)
{
    ino_t first, now;
    int same = 1, ok = 1;

    ok = lookup() != 0;
    check(ok && helper_conns(&first) == 1, "a first lookup leaves one connection to the helper open");
    for (int i = 0; i < 50; i++) {
        ok &= lookup() != 0;
        same &= helper_conns(&now) == 1 && now == first;
    }
    check(ok, "50 more lookups all answered");
    check(same, "... all on that same connection");
    int flags = 0;
    for (int fd = 0; fd < 1024; fd++) {
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_ino == first)
            flags = fcntl(fd, F_GETFD);
    }
    check(flags & FD_CLOEXEC, "the kept connection is close-on-exec");
}

static void *thread_main(void *arg)
{
    in_addr_t *out = arg;
    unsigned tag = (unsigned)(out[0]);

    for (unsigned i = 0; i < PER_THREAD; i++)
        out[i] = lookup_new(tag, i);
    return NULL;
}

static int cmp_addr(const void *a, const void *b)
{
    in_addr_t x = *(const in_addr_t *)a, y = *(const in_addr_t *)b;
    return (x > y) - (x < y);
}

/* Replies matched to the wrong request would show up as one pool address
 * answered for two literals (the fake helper hands each literal its own). */
static void test_threads(void)
{
    static in_addr_t got[THREADS * PER_THREAD];
    pthread_t t[THREADS];
    int answered = 1, distinct = 1;
    ino_t ino;

    for (int i = 0; i < THREADS; i++) {
        got[i * PER_THREAD] = 0x100 + i;   /* the thread's tag */
        pthread_create(&t[i], NULL, thread_main, &got[i * PER_THREAD]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS * PER_THREAD; i++)
        answered &= got[i] != 0;
    qsort(got, THREADS * PER_THREAD, sizeof got[0], cmp_addr);
    for (int i = 1; i < THREADS * PER_THREAD; i++)
        distinct &= got[i] != got[i - 1];
    check(answered, "8 threads x 100 lookups at once: all answered");
    check(distinct, "... each with its own answer (no reply crossed to another request)");
    int n = helper_conns(&ino);
    check(n >= 1 && n <= 4, "... and at most 4 connections kept afterwards");
}

/* The child must not talk on the parent's connection: it closes its copy and
 * opens its own; the parent keeps using its own. */
static void test_fork(void)
{
    ino_t parent, after;
    int fds[2];
    pid_t pid;
    int status;

    lookup();
    helper_conns(&parent);
    if (pipe(fds) || (pid = fork()) < 0) {
        check(0, "fork");
        return;
    }
    if (pid == 0) {
        ino_t before, mine;
        char verdict[3];
        int n0 = helper_conns(&before);
        in_addr_t a = lookup();
        int n1 = helper_conns(&mine);
        verdict[0] = n0 == 0 ? 'y' : 'n';
        verdict[1] = a && n1 == 1 && mine != parent ? 'y' : 'n';
        verdict[2] = lookup() && helper_conns(&before) == 1 && before == mine ? 'y' : 'n';
        write(fds[1], verdict, sizeof verdict);
        _exit(0);
    }
    close(fds[1]);
    char verdict[3] = "nnn";
    read(fds[0], verdict, sizeof verdict);
    close(fds[0]);
    waitpid(pid, &status, 0);
    check(verdict[0] == 'y', "fork: the child does not inherit the parent's kept connections");
    check(verdict[1] == 'y', "fork: the child's lookup opens a connection of its own");
    check(verdict[2] == 'y', "fork: ... which the child keeps for its next lookup");
    check(lookup() && helper_conns(&after) >= 1 && after == parent,
          "fork: the parent goes on on its own connection");
}

/* The kept connections are the threads' (up to 4), all closed by the
 * helper; the first lookup finds one of them dead and connects again. */
static void test_helper_hangs_up(void)
{
    struct addrinfo hints = {.ai_family = AF_INET}, *res;
    ino_t before[8], after[8];
    int nb = helper_inodes(before, 8), na, fresh = 0;

    check(getaddrinfo("restart.test", NULL, &hints, &res) == EAI_NONAME,
          "restart.test answered (then the fake helper closes every connection)");
    check(lookup() != 0, "the next lookup after the helper hung up is answered");
    na = helper_inodes(after, 8);
    for (int i = 0; i < na; i++) {
        int old = 0;
        for (int j = 0; j < nb; j++)
            old |= after[i] == before[j];
        fresh += !old;
    }
    check(fresh == 1, "... on a new connection");
}

/* closefrom()/close_range() straight to the kernel, then the number reused
 * by the program: the library must not send on it, nor close it. */
static void test_program_closes_everything(void)
{
    ino_t before, after;
    int keep[8], reused = 1;

    lookup();
    helper_conns(&before);
    syscall(SYS_close_range, 3u, ~0u, 0);
    for (int i = 0; i < 8; i++)
        keep[i] = open("/dev/null", O_RDONLY);
    check(lookup() != 0, "close_range(3, ~0) by syscall: the next lookup is answered");
    check(helper_conns(&after) == 1 && after != before, "... on a new connection");
    for (int i = 0; i < 8; i++) {
        struct stat st;
        reused &= fstat(keep[i], &st) == 0 && S_ISCHR(st.st_mode);
    }
    check(reused, "... and the descriptors the program opened since are untouched");

    int fd = -1;
    for (int i = 0; i < 1024 && fd < 0; i++) {
        struct stat st;
        if (fstat(i, &st) == 0 && st.st_ino == after)
            fd = i;
    }
    int null = open("/dev/null", O_RDONLY);
    dup2(null, fd);
    struct stat st;
    check(lookup() != 0 && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode),
          "dup2 onto the kept connection: the lookup is answered, the program's descriptor kept");
}

int main(void)
{
    test_one_connection_for_many_calls();
    test_threads();
    test_fork();
    test_helper_hangs_up();
    test_program_closes_everything();
    return report();
}
