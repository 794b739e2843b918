/*
 * Signal handlers and the library (preload/core/runtime/sigwrap.c): a handler that
 * interrupts its thread inside one of bia's calls gets its own connect
 * translated, and the program sees its own handlers in every answer about
 * dispositions (sigaction, signal, bsd_signal, sysv_signal, sigset), with
 * libc's errors and flags. Run by test/c/smoke.sh like hook_smoke.c
 * (198.18.0.1:PORT is translated to [::1]:PORT; [::1]:8080 answers
 * "hello from [...]"). Prints one line per check and "N passed, N failed".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

#define POOL "198.18.0.1"

/* sigset is obsolescent, and still in libc for the programs that use it. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

void (*bsd_signal(int, void (*)(int)))(int);
void (*sysv_signal(int, void (*)(int)))(int);

static void plain_a(int sig) { (void)sig; }
static void plain_b(int sig) { (void)sig; }

static volatile sig_atomic_t info_signo, info_code, info_context;

static void with_info(int sig, siginfo_t *si, void *context)
{
    (void)sig;
    info_signo = si->si_signo;
    info_code = si->si_code;
    info_context = context != NULL;
}

static void test_dispositions(void)
{
    struct sigaction sa = {.sa_handler = plain_a, .sa_flags = SA_RESTART}, old;
    struct sigaction si = {.sa_sigaction = with_info, .sa_flags = SA_SIGINFO};

    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGTERM);
    check(sigaction(SIGUSR1, &sa, NULL) == 0 && sigaction(SIGUSR1, NULL, &old) == 0 &&
              old.sa_handler == plain_a && (old.sa_flags & SA_RESTART) && !(old.sa_flags & SA_SIGINFO) &&
              sigismember(&old.sa_mask, SIGTERM),
          "sigaction: the old action is the program's handler, flags and mask");
    check(sigaction(SIGUSR1, &si, &old) == 0 && old.sa_handler == plain_a && sigaction(SIGUSR1, &si, &old) == 0 &&
              old.sa_sigaction == with_info && (old.sa_flags & SA_SIGINFO),
          "sigaction: an SA_SIGINFO handler replaces a plain one and reads back as itself");
    raise(SIGUSR1);
    check(info_signo == SIGUSR1 && info_code == SI_TKILL && info_context,
          "an SA_SIGINFO handler gets its siginfo and context through the library");
    struct sigaction was_info = {.sa_sigaction = with_info};   /* as libc gives it: the union */

    check(signal(SIGUSR1, plain_b) == was_info.sa_handler && signal(SIGUSR1, SIG_IGN) == plain_b &&
              signal(SIGUSR1, plain_a) == SIG_IGN && signal(SIGUSR1, SIG_DFL) == plain_a,
          "signal: returns the program's previous handler, SIG_IGN and SIG_DFL as they are");
    check(bsd_signal(SIGUSR2, plain_a) == SIG_DFL && sysv_signal(SIGUSR2, plain_b) == plain_a &&
              sigset(SIGUSR2, plain_a) == plain_b && sigset(SIGUSR2, SIG_HOLD) == plain_a &&
              sigset(SIGUSR2, SIG_DFL) == SIG_HOLD,
          "bsd_signal, sysv_signal, sigset: the program's previous handler; SIG_HOLD as libc");
    sigaction(SIGUSR2, NULL, &old);
    check(old.sa_handler == SIG_DFL, "after SIG_DFL the kernel holds the default again");

    errno = 0;
    check(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL && sigaction(SIGKILL, NULL, &old) == 0 &&
              old.sa_handler == SIG_DFL,
          "sigaction(SIGKILL): EINVAL, and the disposition stays SIG_DFL");
    errno = 0;
    check(sigaction(0, &sa, NULL) == -1 && errno == EINVAL && sigaction(_NSIG, &sa, NULL) == -1 && errno == EINVAL,
          "sigaction on signal 0 and _NSIG: EINVAL");
    errno = 0;
    check(signal(SIGSTOP, plain_a) == SIG_ERR && errno == EINVAL, "signal(SIGSTOP): SIG_ERR, EINVAL");
}

/* ---- a handler interrupting the library ---------------------------------- */

static volatile sig_atomic_t in_library, handler_ran, handler_inside, handler_ok, handler_errno;

static int connect_pool(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_pton(AF_INET, POOL, &a.sin_addr);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
        return fd;
    if (fd >= 0) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return -1;
}

/* Connects to the translated server and reads its greeting. */
static void on_alarm(int sig)
{
    int saved = errno, fd;
    char buf[64];

    (void)sig;
    handler_inside = in_library;
    fd = connect_pool(8080);
    handler_ok = fd >= 0 && read(fd, buf, sizeof buf) > 0;
    handler_errno = fd >= 0 ? 0 : errno;
    if (fd >= 0)
        close(fd);
    handler_ran = 1;
    errno = saved;
}

/* A connect that waits inside the library: [::1]:8081 listens with a full
 * queue and never accepts, so the kernel drops the SYN and connect()
 * waits (bounded by SO_SNDTIMEO) in the real connect under bia's hook. */
static void test_handler_inside_library(void)
{
    struct sockaddr_in6 l6 = {.sin6_family = AF_INET6, .sin6_port = htons(8081), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    struct sigaction sa = {.sa_handler = on_alarm};
    struct itimerval once = {{0, 0}, {0, 200000}};
    struct timeval bound = {2, 0};
    int listener = socket(AF_INET6, SOCK_STREAM, 0), filler, waiting;

    if (bind(listener, (struct sockaddr *)&l6, sizeof l6) || listen(listener, 0)) {
        check(0, "a listener on [::1]:8081");
        return;
    }
    filler = connect_pool(8081);            /* takes the one place in the queue */
    waiting = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(waiting, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &once, NULL);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8081)};
    inet_pton(AF_INET, POOL, &a.sin_addr);
    in_library = 1;
    connect(waiting, (struct sockaddr *)&a, sizeof a);
    in_library = 0;
    printf("     (filler %d; handler ran %d, inside connect %d, errno %d)\n", filler, (int)handler_ran,
           (int)handler_inside, (int)handler_errno);
    check(handler_ran && handler_inside && handler_ok,
          "a handler interrupting a translated connect inside the library: its own connect to a pool address is translated");
    signal(SIGALRM, SIG_DFL);
    close(waiting);
    close(filler);
    close(listener);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(30);
    test_dispositions();
    test_handler_inside_library();
    return report();
}
