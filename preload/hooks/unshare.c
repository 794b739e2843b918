/*
 * unshare(): passes through; a thread in a new network namespace reads its
 * IPV6_V6ONLY default again (v4prog/dualstack.h).
 */
#define _GNU_SOURCE
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/dualstack.h"

#include <sched.h>

BIA_EXPORT int unshare(int flags)
{
    int rc = bia_real()->unshare(flags);

    if (rc == 0 && (flags & CLONE_NEWNET))
        bia_dualstack_netns_changed();
    return rc;
}
