/*
 * Descriptors whose AF_INET socket the library replaced by an AF_INET6
 * one, with the addresses the translation used. Each entry remembers the
 * socket's inode: a descriptor closed behind the library's back (raw
 * syscall, posix_spawn file actions) and reused shows up as a different
 * inode, and its stale entry is dropped instead of being trusted.
 *
 * Every function here is lock-free and async-signal-safe, because close,
 * dup2, dup3 and connect are async-signal-safe in libc and their hooks call
 * them: a signal handler that closes a descriptor while the interrupted
 * thread is inside the table must neither deadlock nor corrupt it. The
 * table is process memory, so a child with its own copy (fork, raw clone,
 * clone3) inherits it as it inherits the descriptors, and a child that
 * shares its parent's memory but not its descriptors (vfork, CLONE_VM)
 * never changes it (newproc.h); such a child finds the copies it made of
 * a translated socket by the socket's identity.
 */
#ifndef BIA_FDTABLE_H
#define BIA_FDTABLE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct bia_fdinfo {
    struct sockaddr_in v4peer;     /* the peer the program asked for */
    struct sockaddr_in6 v6peer;    /* the peer the socket really has */
    struct in_addr v4local;        /* a pool or paired address it is bound to, or 0 */
};

/* Records (or updates) fd; false if it cannot (fd out of range, no memory,
 * another thread writing the same entry, called in a vfork child). An
 * update of the same socket without a v4local keeps the one it had: a
 * connect does not unbind. */
bool bia_fdtable_set(int fd, const struct bia_fdinfo *info);

/* Finds a current entry for fd, or one inherited across exec (see
 * fdinherit.h), or, in a child sharing the table, the entry of another
 * descriptor on fd's socket. Costs no system call when the process has no
 * translated socket and inherited none. */
bool bia_fdtable_get(int fd, struct bia_fdinfo *out);

/* Which socket an entry was found for, so that an update in the same
 * call need not fstat again. */
struct bia_fdid {
    bool known;
    unsigned long dev, ino;
};

/* bia_fdtable_get, also saying which socket fd held when it looked. */
bool bia_fdtable_get_id(int fd, struct bia_fdinfo *out, struct bia_fdid *id);

/* bia_fdtable_set for the socket id names (from bia_fdtable_get_id a
 * moment ago, in the same call on fd); without an id, as bia_fdtable_set. */
bool bia_fdtable_set_id(int fd, const struct bia_fdid *id, const struct bia_fdinfo *info);

/* Forgets fd (it is being closed). No system call if fd has no entry. */
void bia_fdtable_drop(int fd);

/* Forgets first..last (close_range). */
void bia_fdtable_drop_range(unsigned first, unsigned last);

/* newfd is now a duplicate of oldfd: it gets oldfd's entry, or loses its
 * own if oldfd has none; both lose their socket's history (sockhist.h).
 * Leaves errno alone. */
void bia_fdtable_copy(int oldfd, int newfd);

/* Calls fn for each current entry, with its descriptor and the socket's
 * device and inode; stops when fn returns false. For the exec hooks
 * (fdinherit.c) and the use reports (usage.c). */
typedef bool bia_fdtable_fn(int fd, unsigned long dev, unsigned long ino,
                            const struct bia_fdinfo *info, void *arg);
void bia_fdtable_each(bia_fdtable_fn *fn, void *arg);

/* Whether a descriptor outside first..last holds the socket (dev, ino).
 * Compares the recorded identities first and fstats only a descriptor
 * whose record names that socket: no system call when none does, the
 * usual close. */
bool bia_fdtable_held_elsewhere(unsigned long dev, unsigned long ino, unsigned first, unsigned last);

/* In a new process (newproc.h): frees the slots that threads of the
 * parent were writing at the fork; those threads do not exist here. */
void bia_fdtable_forked(void);

#endif
