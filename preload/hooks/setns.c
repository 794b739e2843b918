/*
 * setns(): passes through; a thread that entered another network namespace
 * reads that namespace's IPV6_V6ONLY default again (v4prog/dualstack.h).
 * nstype 0 may be any kind of namespace, so any success counts.
 */
#define _GNU_SOURCE
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/dualstack.h"

#include <sched.h>

BIA_EXPORT int setns(int fd, int nstype)
{
    int rc = bia_real()->setns(fd, nstype);

    if (rc == 0 && (nstype == 0 || (nstype & CLONE_NEWNET)))
        bia_dualstack_netns_changed();
    return rc;
}
