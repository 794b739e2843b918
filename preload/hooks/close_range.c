/*
 * close_range(): reports the end of the mapping uses it ends (usage.h), and
 * the closed descriptors' records go first, as in close(),
 * so that a number reused by another thread at once cannot lose its new
 * record; but only for arguments the kernel accepts, so a call that fails
 * with EINVAL forgets nothing. CLOSE_RANGE_CLOEXEC closes nothing: the
 * records stay (the sockets still are what they were until exec, and
 * the exec hooks carry them by socket, not by descriptor).
 */
#define _GNU_SOURCE
#include "fd/fdlife.h"
#include "runtime/config.h"
#include "runtime/real.h"

#include <linux/close_range.h>
#include <unistd.h>

BIA_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
    if (bia_active() && first <= last &&
        !(flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) && !(flags & CLOSE_RANGE_CLOEXEC))
        bia_fd_closing_range(first, last);
    return bia_real()->close_range(first, last, flags);
}
