/*
 * How many of this process's sockets use each mapping, and whether the
 * helper has been told the process uses it, so that usage.c reports only
 * a process's first socket on a mapping (USE) and the end of its last
 * (RELEASE): a program that keeps several connections to one peer, or
 * connects again while one is open, reports nothing more (issue 8,
 * connect latency).
 *
 * The RELEASE lingers for BIA_USECOUNT_LINGER_MS after the last socket
 * closed, and a new socket within that time reports nothing either: a
 * program that connects, closes and connects again to the same peer (a
 * client without a connection pool, a benchmark) costs the helper nothing
 * after its first connect. Lingering releases are sent by the next
 * connect, accept or close of a translated socket once due, before an
 * exec, and at exit; a process that does none of these keeps the mapping
 * held until it does, or until the helper notices it ended.
 *
 * A fixed table of BIA_USECOUNT_SLOTS mappings, open addressing, keys never
 * removed (a mapping the process stopped using keeps its slot for its next
 * use). A mapping that finds no slot (the process used that many distinct
 * mappings) is not counted: each of its sockets is reported on its own,
 * which the helper counts the same way. Lock-free and async-signal-safe:
 * a key is claimed with one compare-and-swap, a slot's count and "told"
 * bit change together in one compare-and-swap. A vfork child (or CLONE_VM
 * child) that shares this memory must change nothing (bia_newproc_own).
 */
#ifndef BIA_USECOUNT_H
#define BIA_USECOUNT_H

#include <netinet/in.h>
#include <stdbool.h>

#define BIA_USECOUNT_SLOTS 4096
#define BIA_USECOUNT_LINGER_MS 1000

/* One more socket uses v4: true when the helper must hear of it (it does
 * not know the process uses v4, or v4 is not counted). */
bool bia_usecount_up(struct in_addr v4);

/* One socket fewer uses v4: true when the helper must hear of it now (v4
 * is not counted); a counted mapping's last socket starts its linger. A
 * socket that was never counted (count already 0) changes nothing. */
bool bia_usecount_down(struct in_addr v4);

/* How many sockets use v4; -1 if it has no slot (never used, or not
 * counted). */
int bia_usecount_get(struct in_addr v4);

/* Ends the lingering uses that are due (every one if all): fn is called
 * for each, whose RELEASE the caller sends. Cheap when none is due. */
void bia_usecount_end_due(bool all, void (*fn)(struct in_addr v4, void *arg), void *arg);

/* In a fork child: the helper knows nothing of this new process, so
 * forgets every lingering use and calls fn for each mapping its sockets
 * use, whose USE the caller sends. */
void bia_usecount_forked(void (*fn)(struct in_addr v4, void *arg), void *arg);

#endif
