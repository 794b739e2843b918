/*
 * fcntl() and fcntl64(): F_DUPFD and F_DUPFD_CLOEXEC make a copy that
 * keeps the translation; every other command goes through untouched.
 * Programs built with _FILE_OFFSET_BITS=64 call fcntl64 (glibc >= 2.28),
 * the others fcntl: both are hooked. The third argument is read as a
 * pointer and handed on as one, as glibc itself does: on the ABIs glibc
 * supports an int argument travels in the same register or slot.
 */
/* Otherwise <fcntl.h> renames fcntl to fcntl64 and the two would clash. */
#undef _FILE_OFFSET_BITS
#include "fd/fdlife.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>

static int after(int rc, int fd, int cmd)
{
    if (rc >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && bia_active()) {
        bia_fd_duplicated(fd, rc);
    }
    return rc;
}

BIA_EXPORT int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return after(bia_real()->fcntl(fd, cmd, arg), fd, cmd);
}

BIA_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return after(bia_real()->fcntl64(fd, cmd, arg), fd, cmd);
}
