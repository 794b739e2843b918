/*
 * Translated sockets inherited across exec. The exec hooks put one record
 * per translated socket (device, inode, IPv4 and IPv6 peer) in the new
 * program's environment as BIA_TRANSLATED; the new program's library reads
 * it only when it is asked about a descriptor it knows nothing of, and
 * believes a record only for the very socket it names: same device and
 * inode, an AF_INET6 socket, connected to the recorded IPv6 peer.
 *
 * Why the environment: it crosses exec without a file to clean up or a
 * helper to ask, and a program that inherited nothing pays one getenv.
 * Records name sockets, not descriptor numbers, so they stay right
 * whatever dup2 or posix_spawn file actions do between fork and exec, and
 * they pass on through programs that do not look at them (a shell between
 * the IPv4 program and its grandchild). A program's own sockets never
 * match a record, so an IPv6-native program that inherits the variable is
 * undisturbed; only the inherited socket itself keeps looking IPv4. Exec
 * paths that bypass the hooks (a raw execve system call, glibc-internal
 * spawns other than system() and popen()) lose the records: the socket
 * then shows its real IPv6 addresses.
 */
#ifndef BIA_FDINHERIT_H
#define BIA_FDINHERIT_H

#include "exec/envrec.h"
#include "fd/sockrec.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define BIA_FDINHERIT_NAME "BIA_TRANSLATED"
#define BIA_FDINHERIT_MAX BIA_ENVREC_MAX
#define BIA_FDINHERIT_RECORD 88              /* hex digits per record */
#define BIA_FDINHERIT_SIZE (sizeof BIA_FDINHERIT_NAME "=" + \
                            BIA_FDINHERIT_MAX * (BIA_FDINHERIT_RECORD + 1))

/* The record for the socket on fd, if this program inherited one. Costs
 * one getenv per process when it inherited none. Leaves errno alone. */
bool bia_fdinherit_find(int fd, struct bia_fdinfo *out);

/*
 * Writes "BIA_TRANSLATED=..." into text (BIA_FDINHERIT_SIZE bytes): this
 * process's translated sockets, then the records of carried (the value
 * the exec'd environment already has, or NULL) for other sockets. Each of
 * this process's records names announcer as the pid that has reported its
 * mapping use to the helper (usage.h; 0 for none): the new program, if it
 * runs as that pid (a plain exec), does not report it again. Returns
 * false, writing nothing, if this process has no translated socket.
 * Async-signal-safe.
 */
bool bia_fdinherit_encode(char *text, const char *carried, pid_t announcer);

/*
 * For each record this program inherited: fn with the descriptor that
 * carries its socket now, or -1 when none does (closed on exec, or before
 * it), and the pid recorded as having announced its use. Lists
 * /proc/self/fd, so it is for start-up (usage.c), not for signal handlers.
 */
typedef void bia_fdinherit_fn(int fd, const struct bia_fdinfo *info, pid_t announcer, void *arg);
void bia_fdinherit_each(bia_fdinherit_fn *fn, void *arg);

#endif
