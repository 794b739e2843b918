/*
 * connect() to a pool address: the target's AF_INET socket is replaced by
 * a real AF_INET6 socket at the same descriptor number (ADDFD with
 * SECCOMP_ADDFD_FLAG_SETFD), made with its file status flags and the
 * options it set, and connected by the supervisor, whose errno the target
 * gets (EINPROGRESS for a non-blocking socket, ECONNREFUSED, ...). The
 * data path then is the kernel's own: nothing else traps.
 */
#ifndef BIA_SUPERVISOR_SWAP_H
#define BIA_SUPERVISOR_SWAP_H

#include <linux/seccomp.h>

void swap_connect(int listener, const struct seccomp_notif *req);

#endif
