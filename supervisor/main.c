/*
 * bia-supervise: runs a command under a seccomp user-notification filter
 * and serves its trapped socket calls (docs/supervisor.md), for programs
 * the preload cannot reach (statically linked, Go). `bia run` starts it as
 *   bia-supervise -- CMD [ARGS...]
 * with the program's environment (BIA_SOCKET and BIA_POOL among it).
 *
 * The supervisor is the program's parent, so that it may read and write
 * the memory and descriptors of the program and its descendants under
 * Yama's ptrace_scope 1 too. It forwards the signals bia run forwards and
 * exits as the program did. Should it die, the kernel fails every trapped
 * call with ENOSYS: the program never waits for an answer that cannot come.
 */
#include "bia_contract.h"
#include "filter.h"
#include "log.h"
#include "mapping.h"
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127
#define EXIT_INTERNAL 70

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
static volatile pid_t target;

static void forward(int sig)
{
    kill(target, sig);
}

static void send_fd(int chan, int fd)
{
    char data = 0, control[CMSG_SPACE(sizeof fd)] = {0};
    struct iovec iov = {&data, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fd);
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    (void)sendmsg(chan, &msg, MSG_NOSIGNAL);
}

static int receive_fd(int chan)
{
    char data, control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&data, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c;
    int fd;

    if (recvmsg(chan, &msg, MSG_CMSG_CLOEXEC) <= 0 || !(c = CMSG_FIRSTHDR(&msg)) || c->cmsg_type != SCM_RIGHTS)
        return -1;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

/* The filter traps sendmsg, which nobody could answer before the
 * supervisor has the listener: a thread started before the filter (a
 * filter binds the thread that installs it and those it starts later)
 * sends it. */
struct handoff {
    int chan, ready[2];
};

static void *send_listener(void *arg)
{
    struct handoff *h = arg;
    int listener = -1;

    if (read(h->ready[0], &listener, sizeof listener) == sizeof listener && listener >= 0)
        send_fd(h->chan, listener);
    return NULL;
}

/* The child: under the filter from here on, then the program. */
static void become_target(int chan, char **command)
{
    struct handoff h = {.chan = chan};
    pthread_t sender;
    int listener;
    bool busy;

    if (pipe2(h.ready, O_CLOEXEC) || pthread_create(&sender, NULL, send_listener, &h)) {
        fprintf(stderr, "bia: supervisor: cannot start the program: %s\n", strerror(errno));
        _exit(EXIT_INTERNAL);
    }
    listener = filter_install();
    /* EBUSY: under a supervisor already (a preloaded program of a
     * --supervise run executed this one), which serves the program: no
     * second listener may be stacked on its filter. */
    busy = listener < 0 && errno == EBUSY;
    if (listener < 0 && !busy)
        fprintf(stderr, "bia: supervisor: cannot install the seccomp filter: %s\n", strerror(errno));
    (void)!write(h.ready[1], &listener, sizeof listener);
    pthread_join(sender, NULL);
    if (listener < 0 && !busy)
        _exit(EXIT_INTERNAL);
    if (listener >= 0)
        close(listener);
    close(chan);
    close(h.ready[0]);
    close(h.ready[1]);
    execvp(command[0], command);
    fprintf(stderr, "bia: %s: %s\n", command[0], errno == ENOENT ? "command not found" : strerror(errno));
    _exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE);
}

/* Killed with bia run when bia run started it, as the preload's programs
 * are (exec/launcher.c): SIGTERM, which goes on to the program. One that a
 * program's exec started (exec/supervise.c) lives as that program would
 * have, its parent's death notwithstanding. Returns -1 when bia run is
 * gone already. */
static int tie_to_launcher(void)
{
    const char *text = getenv(BIA_ENV_LAUNCHER_PID);
    pid_t parent = getppid();

    if (!text || atol(text) != (long)parent)
        return 0;
    unsetenv(BIA_ENV_LAUNCHER_PID);
    return prctl(PR_SET_PDEATHSIG, SIGTERM) == 0 && getppid() != parent ? -1 : 0;
}

/* Exits as the program did: its code, or its signal (without a core). */
static void exit_as(int status)
{
    struct rlimit none = {0, 0};

    if (!WIFSIGNALED(status))
        exit(WEXITSTATUS(status));
    setrlimit(RLIMIT_CORE, &none);
    signal(WTERMSIG(status), SIG_DFL);
    kill(getpid(), WTERMSIG(status));
    exit(128 + WTERMSIG(status));
}

/* Serves until the program ends; its descendants lose the supervisor then. */
static void serve(int listener, pid_t child)
{
    struct pollfd p[2] = {{.fd = (int)syscall(__NR_pidfd_open, child, 0), .events = POLLIN},
                          {.fd = listener, .events = POLLIN}};
    int status;

    while (p[0].fd >= 0) {
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        if ((p[1].revents & POLLIN) && notify_serve_one(listener))
            p[1].fd = -1;
        else if (p[1].revents & (POLLHUP | POLLERR))
            p[1].fd = -1;   /* no process under the filter any more */
    }
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    exit_as(status);
}

int main(int argc, char **argv)
{
    char why[256];
    int chan[2], listener, null;
    pid_t child;

    if (argc < 3 || strcmp(argv[1], "--")) {
        fprintf(stderr, "usage: bia-supervise -- CMD [ARGS...] (bia run starts it)\n");
        return EXIT_INTERNAL;
    }
    if (filter_kernel_check(why, sizeof why)) {
        fprintf(stderr, "bia: %s; run the program on a newer kernel, or a dynamically linked build of it\n", why);
        return EXIT_INTERNAL;
    }
    if (tie_to_launcher())
        return EXIT_INTERNAL;
    if (mapping_init() || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, chan))
        return EXIT_INTERNAL;
    child = fork();
    if (child < 0)
        return EXIT_INTERNAL;
    if (child == 0)
        become_target(chan[1], argv + 2);
    target = child;
    close(chan[1]);
    listener = receive_fd(chan[0]);
    close(chan[0]);
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
        sigaction(forwarded[i], &(struct sigaction){.sa_handler = forward, .sa_flags = SA_RESTART}, NULL);
    /* Whoever reads the program's output sees its end when the program
     * closes it, not when the supervisor does. */
    null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        close(null);
    }
    serve(listener, child);
    return EXIT_INTERNAL;
}
