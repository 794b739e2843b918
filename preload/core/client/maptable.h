/*
 * The helper's published mapping table (bia_maptable.h): which IPv6 address
 * a pool address stands for, read from shared memory instead of asking the
 * helper (MAP4), so that a process's first connect to a mapped peer makes no
 * round trip. A miss (no table, an address it does not cover, a mapping
 * that is gone or past its time) says nothing: the caller asks the helper.
 */
#ifndef BIA_MAPTABLE_H_CORE
#define BIA_MAPTABLE_H_CORE

#include "bia_protocol.h"
#include "runtime/config.h"

#include <netinet/in.h>
#include <stdbool.h>

/*
 * True, with *v6 set, when the helper's table maps the pool address v4 now.
 * Lock-free and async-signal-safe; leaves errno as it was. The first call
 * (and, at most once a second, a call after the helper went away or was
 * replaced) opens the table: one open, fstat and mmap.
 */
bool bia_maptable_find_v4(struct in_addr v4, struct in6_addr *v6);

/*
 * True, with *reply decoded, when the table holds the HELLO reply the helper
 * would send now (the network and the pool, without a round trip). Same
 * manners as above.
 */
bool bia_maptable_hello(struct bia_reply *reply);

/* What the table's HELLO says that is fixed for the helper's life. */
struct bia_published {
    struct bia_synth_params synth;
    struct in_addr pool;          /* network byte order */
    unsigned pool_len;
};

/*
 * True, with *out set from the table's HELLO: decoded once per table, then
 * a copy. Same manners as above.
 */
bool bia_maptable_settings(struct bia_published *out);

/*
 * True, with *held set to the pool addresses a socket uses now (USE), when
 * there is a table; a count taken record by record, without the seqlock
 * (for a message, not a decision). Reads every record: for rare events.
 */
bool bia_maptable_held(unsigned *held);

#endif
