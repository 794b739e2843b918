/*
 * Marked sockets of IPv6 programs (v6prog.h) inherited across exec, the
 * way fdinherit.h carries translated ones: the exec hooks put one record
 * per marked socket (device, inode, synthesized peer, its IPv4 address,
 * whether it is an AF_INET stand-in and its IPV6_V6ONLY) in the new
 * program's environment as BIA_V6PROG; the new program's library reads it
 * only when it is asked about a descriptor it has no mark for, and believes
 * a record only for the very socket it names: same device and inode, and
 * the family the record says (AF_INET for a stand-in, AF_INET6 otherwise).
 * Records pass on through programs that do not look at them; exec paths
 * that bypass the hooks lose them (the socket then shows ::ffff:a.b.c.d,
 * or on a stand-in an AF_INET address).
 */
#ifndef BIA_V6INHERIT_H
#define BIA_V6INHERIT_H

#include "exec/envrec.h"
#include "fd/sockrec.h"

#include <stdbool.h>

#define BIA_V6INHERIT_NAME "BIA_V6PROG"
#define BIA_V6INHERIT_MAX BIA_ENVREC_MAX
#define BIA_V6INHERIT_RECORD 100             /* hex digits per record */
#define BIA_V6INHERIT_SIZE (sizeof BIA_V6INHERIT_NAME "=" + \
                            BIA_V6INHERIT_MAX * (BIA_V6INHERIT_RECORD + 1))

/* Whether this program inherited any record (one getenv per process). */
bool bia_v6inherit_present(void);

/* The record for the socket on fd, if this program inherited one. Costs
 * one getenv per process when it inherited none. Leaves errno alone. */
bool bia_v6inherit_find(int fd, struct bia_v6prog *out);

/*
 * Writes "BIA_V6PROG=..." into text (BIA_V6INHERIT_SIZE bytes): this
 * process's marked sockets, then the records of carried (the value the
 * exec'd environment already has, or NULL) for other sockets. Returns
 * false, writing nothing, if this process has no marked socket.
 * Async-signal-safe.
 */
bool bia_v6inherit_encode(char *text, const char *carried);

#endif
