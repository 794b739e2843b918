/*
 * fork() while other threads are writing the fd table (issue 17 item 7):
 * THREADS threads dup2 a translated socket onto numbers of their own
 * without pause, so that at any fork some slot is likely being written;
 * the main thread forks again and again, and each child dup2s the socket
 * onto every one of those numbers and checks that getpeername still says
 * AF_INET. A slot left BUSY by a thread that does not exist in the child
 * would refuse the child's entry: AF_INET6. Run through bia run in the lab
 * (test/e2e/fork-busy.test.ts):
 *   fork_busy HOST PORT FORKS
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define THREADS 4
#define PER_THREAD 16
#define FIRST 100

static int translated;
static volatile int stop;

static void *writer(void *arg)
{
    int first = FIRST + (int)(long)arg * PER_THREAD;

    while (!stop)
        for (int fd = first; fd < first + PER_THREAD; fd++)
            dup2(translated, fd);
    return NULL;
}

/* In the child: every number the threads used takes a copy that shows IPv4. */
static int child(void)
{
    struct sockaddr_storage ss;
    socklen_t len;

    for (int fd = FIRST; fd < FIRST + THREADS * PER_THREAD; fd++) {
        len = sizeof ss;
        if (dup2(translated, fd) != fd || getpeername(fd, (struct sockaddr *)&ss, &len) ||
            ss.ss_family != AF_INET)
            return 1;
    }
    return 0;
}

static int connect_to(const char *host, const char *port)
{
    struct addrinfo *ai, hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
    int fd;

    if (getaddrinfo(host, port, &hints, &ai))
        return -1;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

int main(int argc, char **argv)
{
    pthread_t threads[THREADS];
    int forks = argc == 4 ? atoi(argv[3]) : 0, bad = 0;
    char what[128];

    if (forks <= 0 || (translated = connect_to(argv[1], argv[2])) < 0) {
        fprintf(stderr, "usage: fork_busy HOST PORT FORKS (HOST:PORT must accept a connection)\n");
        return 2;
    }
    check(child() == 0, "the parent's copies show IPv4");
    for (long i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, writer, (void *)i);
    for (int i = 0; i < forks; i++) {
        int status;
        pid_t pid = fork();
        if (pid == 0)
            _exit(child());
        bad += waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status);
    }
    stop = 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    snprintf(what, sizeof what, "%d of %d children forked while threads wrote the table saw AF_INET6",
             bad, forks);
    check(bad == 0, what);
    return report();
}
