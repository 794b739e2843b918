/*
 * accept4(): a connection on a swapped listener reports its peer as IPv4.
 * No _GNU_SOURCE here: with it glibc declares the address argument as a
 * transparent union, which this definition would not match.
 */
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/accept.h"

BIA_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

BIA_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    int rc;

    if (!bia_active() || !bia_guard_enter())
        return bia_real()->accept4(fd, addr, len, flags);
    rc = bia_accept(fd, addr, len, flags);
    bia_guard_leave();
    return rc;
}
