/*
 * USE and RELEASE as datagrams on the helper's use socket (the helper
 * socket's path and BIA_USE_SOCKET_SUFFIX; docs/protocol.md, "Reports as
 * datagrams"): the kernel queues the frame and the program goes on, and
 * the helper reads it in a batch with the sender's credentials, so a
 * fresh process's first use costs it no stream connection.
 */
#ifndef BIA_USESOCK_H
#define BIA_USESOCK_H

#include <stddef.h>
#include <stdint.h>

/* Sends one USE or RELEASE frame as one datagram, without waiting: 0 when
 * the kernel queued it for the helper, -1 when it could not (no use
 * socket, one this process must not believe, no helper behind it, its
 * queue full, no descriptor): the caller then reports on a connection.
 * Makes only system calls (async-signal-safe); errno may change. */
int bia_usesock_send(const uint8_t *frame, size_t len);

#endif
