/*
 * close_range(): reports the end of the mapping uses it ends (usage.h), and
 * the closed descriptors' entries go first, as in close(),
 * so that a number reused by another thread at once cannot lose its new
 * entry; but only for arguments the kernel accepts, so a call that fails
 * with EINVAL forgets nothing. CLOSE_RANGE_CLOEXEC closes nothing: the
 * entries stay (the sockets still are what they were until exec, and
 * the exec hooks carry them by socket, not by descriptor).
 */
#define _GNU_SOURCE
#include "fd/fdtable.h"
#include "fd/usage.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <linux/close_range.h>
#include <unistd.h>

BIA_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
    if (bia_active() && first <= last &&
        !(flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) && !(flags & CLOSE_RANGE_CLOEXEC)) {
        bia_usage_end_range(first, last);
        bia_fdtable_drop_range(first, last);
    }
    return bia_real()->close_range(first, last, flags);
}
