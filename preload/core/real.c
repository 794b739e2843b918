/* Looks up the real libc symbols behind the hooks (dlsym RTLD_NEXT). */
#define _GNU_SOURCE
#include "real.h"

#include <dlfcn.h>
#include <pthread.h>

static struct bia_real real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

/* initial-exec: the library is preloaded, and this must not allocate. */
static __thread bool inside __attribute__((tls_model("initial-exec")));

#define LOOKUP(name) (real.name = (__typeof__(real.name))dlsym(RTLD_NEXT, #name))

static void lookup_all(void)
{
    LOOKUP(socket);
    LOOKUP(connect);
    LOOKUP(close);
    LOOKUP(getpeername);
    LOOKUP(getsockname);
    LOOKUP(getaddrinfo);
    LOOKUP(freeaddrinfo);
    LOOKUP(getifaddrs);
    LOOKUP(freeifaddrs);
    LOOKUP(gethostbyname);
    LOOKUP(gethostbyname_r);
    LOOKUP(gethostbyname2);
    LOOKUP(gethostbyname2_r);
    LOOKUP(gethostbyaddr);
    LOOKUP(gethostbyaddr_r);
    LOOKUP(getnameinfo);
    LOOKUP(inet_aton);
    LOOKUP(inet_addr);
    LOOKUP(inet_pton);
    LOOKUP(res_query);
    LOOKUP(res_search);
    LOOKUP(res_querydomain);
    LOOKUP(res_nquery);
    LOOKUP(res_nsearch);
    LOOKUP(res_nquerydomain);
    LOOKUP(write);
    LOOKUP(dup);
    LOOKUP(dup2);
    LOOKUP(dup3);
    LOOKUP(fcntl);
    LOOKUP(fcntl64);
    LOOKUP(close_range);
    LOOKUP(execve);
    LOOKUP(execvpe);
    LOOKUP(fexecve);
    LOOKUP(posix_spawn);
    LOOKUP(posix_spawnp);
    LOOKUP(system);
    LOOKUP(popen);
    LOOKUP(bind);
    LOOKUP(accept4);
    LOOKUP(sendto);
    LOOKUP(sendmsg);
    LOOKUP(sendmmsg);
    LOOKUP(recvfrom);
    LOOKUP(recvmsg);
    LOOKUP(recvmmsg);
    LOOKUP(getsockopt);
    LOOKUP(setsockopt);
    LOOKUP(sigaction);
    LOOKUP(signal);
    LOOKUP(sysv_signal);
    LOOKUP(sigset);
    LOOKUP(ioctl);
}

const struct bia_real *bia_real(void)
{
    pthread_once(&real_once, lookup_all);
    return &real;
}

/* At load, before the program can install a signal handler: a handler
 * calling a hook while this thread was inside lookup_all (dlsym) would
 * otherwise wait for that pthread_once forever. */
__attribute__((constructor)) static void real_at_load(void)
{
    bia_real();
}

bool bia_guard_enter(void)
{
    if (inside)
        return false;
    inside = true;
    return true;
}

void bia_guard_leave(void)
{
    inside = false;
}

bool bia_guard_suspend(void)
{
    bool saved = inside;

    inside = false;
    return saved;
}

void bia_guard_resume(bool saved)
{
    inside = saved;
}
