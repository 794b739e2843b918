/*
 * close(): ends the descriptor's mapping uses and drops its socket's
 * record before the number can be reused (fdlife.h). Async-signal-safe
 * like libc's: the record takes no lock (sockrec.h), the report is system
 * calls.
 */
#include "fd/fdlife.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <unistd.h>

BIA_EXPORT int close(int fd)
{
    if (bia_active())
        bia_fd_closing(fd);
    return bia_real()->close(fd);
}
