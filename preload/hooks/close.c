/*
 * close(): reports the end of a mapping use (usage.h) and forgets the
 * descriptor's translation and its socket's history (sockhist.h) before
 * the number can be reused. Async-signal-safe like libc's: neither table
 * takes a lock (fdtable.h), the report is system calls.
 */
#include "fd/fdtable.h"
#include "fd/sockhist.h"
#include "fd/usage.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <unistd.h>

BIA_EXPORT int close(int fd)
{
    bia_sockhist_forget(fd);
    if (bia_active()) {
        bia_usage_end(fd);
        bia_fdtable_drop(fd);
    }
    return bia_real()->close(fd);
}
