/*
 * One raise at a time: a second thread, or a signal handler meanwhile,
 * does not raise, so the limit always goes back to what it was. A program
 * that changes its own limit in another thread during that one socket()
 * call would see its change undone; the window is a system call long.
 */
#include "fd/fdroom.h"

#include "client/helper_conn.h"
#include "runtime/log.h"
#include "runtime/real.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/resource.h>

/* Enough for the library's own descriptors past the limit (its kept
 * helper connections, one socket being swapped per thread). */
#define RAISE 64

static bool raising;    /* atomic */

/* The socket, made with a soft limit raised for it; -1 if it cannot be. */
static int socket_past_limit(int domain, int type, int protocol)
{
    struct rlimit was, more;
    int fd = -1, err = EMFILE;

    if (__atomic_exchange_n(&raising, true, __ATOMIC_ACQ_REL))
        return -1;
    if (!getrlimit(RLIMIT_NOFILE, &was) && was.rlim_cur != RLIM_INFINITY &&
        was.rlim_cur < was.rlim_max) {
        more = (struct rlimit){was.rlim_max - was.rlim_cur > RAISE ? was.rlim_cur + RAISE : was.rlim_max,
                               was.rlim_max};
        if (!setrlimit(RLIMIT_NOFILE, &more)) {
            fd = bia_real()->socket(domain, type, protocol);
            err = errno;
            setrlimit(RLIMIT_NOFILE, &was);
        }
    }
    __atomic_store_n(&raising, false, __ATOMIC_RELEASE);
    if (fd >= 0)
        bia_debug("no descriptor left under the open-file limit (%llu): the library's fd %d is past it",
                  (unsigned long long)was.rlim_cur, fd);
    errno = err;
    return fd;
}

int bia_fdroom_socket(int domain, int type, int protocol)
{
    int fd = bia_real()->socket(domain, type, protocol);

    if (fd >= 0 || errno != EMFILE)
        return fd;
    fd = socket_past_limit(domain, type, protocol);
    if (fd >= 0 || !bia_conn_close_kept())
        return fd;
    fd = bia_real()->socket(domain, type, protocol);
    if (fd < 0)
        errno = EMFILE;
    return fd;
}
