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

/* The AF_INET6 socket (dual-stack, close-on-exec in the supervisor)
 * that replaces old: its type, protocol, file status flags and the
 * options the program changed; -1 with errno. */
int swap_make_socket(int old, int type, int protocol);

/* Puts sock on the target's descriptor fd (ADDFD with SETFD, keeping
 * its close-on-exec flag) while req waits: 0, or the errno (ENOENT: the
 * call is gone). */
int swap_install(int listener, const struct seccomp_notif *req, int fd, int sock);

void swap_connect(int listener, const struct seccomp_notif *req);

#endif
