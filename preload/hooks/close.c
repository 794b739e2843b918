/*
 * close(): reports the end of a mapping use (usage.h) and forgets the
 * descriptor's translation and its socket's history (sockhist.h) before
 * the number can be reused. Async-signal-safe like libc's: neither table
 * takes a lock (fdtable.h), the report is system calls.
 */
#include "config.h"
#include "fdtable.h"
#include "real.h"
#include "sockhist.h"
#include "usage.h"

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
