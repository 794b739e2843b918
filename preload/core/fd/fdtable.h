/*
 * The translation of an IPv4 program's socket: the part of its record
 * (sockrec.h) that says the library replaced the AF_INET socket by an
 * AF_INET6 one, and with which addresses. A socket inherited across exec
 * is found through the record the exec left in the environment
 * (fdinherit.h). Async-signal-safe, like the record.
 */
#ifndef BIA_FDTABLE_H
#define BIA_FDTABLE_H

#include "fd/sockrec.h"

#include <stdbool.h>

/* Records (or updates) fd's translation; false if it cannot (fd out of
 * range, no memory, another thread writing the same record, called in a
 * child sharing the table). An update of the same socket without a
 * v4local keeps the one it had: a connect does not unbind. */
bool bia_fdtable_set(int fd, const struct bia_fdinfo *info);

/* Finds fd's translation, or one inherited across exec, or, in a child
 * sharing the table, the one of another descriptor on fd's socket. Costs
 * no system call when the process has no record and inherited none. */
bool bia_fdtable_get(int fd, struct bia_fdinfo *out);

/* Which socket a translation was found for, so that an update in the
 * same call need not fstat again. */
struct bia_fdid {
    bool known;
    unsigned long dev, ino;
};

/* bia_fdtable_get, also saying which socket fd held when it looked. */
bool bia_fdtable_get_id(int fd, struct bia_fdinfo *out, struct bia_fdid *id);

/* bia_fdtable_set for the socket id names (from bia_fdtable_get_id a
 * moment ago, in the same call on fd); without an id, as bia_fdtable_set. */
bool bia_fdtable_set_id(int fd, const struct bia_fdid *id, const struct bia_fdinfo *info);

/* Calls fn for each translated socket, with its descriptor and the
 * socket's device and inode; stops when fn returns false. For the exec
 * hooks (fdinherit.c) and the use reports (usage.c). */
typedef bool bia_fdtable_fn(int fd, unsigned long dev, unsigned long ino,
                            const struct bia_fdinfo *info, void *arg);
void bia_fdtable_each(bia_fdtable_fn *fn, void *arg);

/* Whether a descriptor outside first..last holds the translated socket
 * (dev, ino); no system call when no record names that socket. */
bool bia_fdtable_held_elsewhere(unsigned long dev, unsigned long ino, unsigned first, unsigned last);

#endif
