/*
 * The names trace lines show next to an IPv4 address: the name the
 * program resolved in this process, else what NAME4 at the helper says.
 * Only used while trace lines are logged (info level), so a program run
 * without tracing neither stores names nor asks for them.
 */
#ifndef BIA_TRACENAME_H
#define BIA_TRACENAME_H

#include "bia_protocol.h"

#include <netinet/in.h>

/* Remembers that the program resolved name to v4, for ttl seconds; does
 * nothing unless tracing. */
void bia_tracename_put(struct in_addr v4, const char *name, unsigned ttl);

/* The name for v4 in buf, or "" when none is known (also when the helper
 * cannot be asked: a trace line never waits on a warning). */
const char *bia_tracename_get(struct in_addr v4, char buf[BIA_MAX_NAME + 1]);

#endif
