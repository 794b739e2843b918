/*
 * Whether a helper socket can be trusted before anything is said on it
 * (docs/threat-model.md, "Which helper socket is believed"): the rule the
 * preload and the native launcher share (preload/core/client/socktrust.c), and
 * the Node CLI states again in src/socket-trust.ts.
 *
 * A socket is believed when its directory (lstat: a real directory) is
 *  - the caller's own with mode 0700: a private helper, whose listener
 *    must then run as the caller; or
 *  - vouched for by root: not writable by group or others, and root's,
 *    or given by root to a service user (every directory above it root's
 *    and writable by root alone). Its listener must run as root, the
 *    caller or the directory's owner; on a socket file that is root's in
 *    a directory that is root's, whoever listens got the socket from root
 *    (systemd hands it to a DynamicUser helper), so any listener is.
 * and the socket itself (lstat) is a socket, not a symbolic link, owned
 * by the directory's owner (or root, in a vouched directory).
 */
#ifndef BIA_SOCKTRUST_H
#define BIA_SOCKTRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for a refusal: two paths, ids, a mode and the fix. */
#define BIA_TRUST_WHY_SIZE 512

enum { BIA_TRUST_REFUSED = -1, BIA_TRUST_OK = 0, BIA_TRUST_ABSENT = 1 };

struct bia_socktrust {
    uid_t owner;    /* the directory's owner */
    bool vouched;   /* root vouches for it: not a private socket of the caller's */
    bool any_peer;  /* root's socket in root's directory: root chose its listener */
};

/*
 * Looks at the socket's directory and file: BIA_TRUST_OK with *t filled,
 * BIA_TRUST_ABSENT when either does not exist (no helper there yet), or
 * BIA_TRUST_REFUSED with why saying what was found and the fix.
 */
int bia_socktrust_path(const char *socket_path, struct bia_socktrust *t, char *why, size_t size);

/*
 * fd is connected to socket_path, checked by bia_socktrust_path into *t:
 * BIA_TRUST_OK when its listener (SO_PEERCRED) may serve the caller, else
 * BIA_TRUST_REFUSED with why.
 */
int bia_socktrust_peer(int fd, const char *socket_path, const struct bia_socktrust *t, char *why,
                       size_t size);

#endif
