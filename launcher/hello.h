/*
 * Asks the helper on a socket for HELLO, with bia_protocol.h's encoder and
 * decoder (or reads its published answer): whether a helper answers there,
 * and the pool and synthesis the program's environment carries.
 */
#ifndef BIA_LAUNCHER_HELLO_H
#define BIA_LAUNCHER_HELLO_H

#include "bia_protocol.h"

#define HELLO_WHY_SIZE 200

/* 0 with *out filled when a helper answered OK within timeout_ms, else -1
 * with why saying what happened. */
int hello_ask(const char *socket_path, int timeout_ms, struct bia_hello *out, char why[HELLO_WHY_SIZE]);

/*
 * The same answer without asking: the HELLO reply a private helper keeps
 * in its published table (SOCKET.map, docs/protocol.md), believed when the
 * file is this user's, current, and a helper listens on the socket. 0 with
 * *out filled, else -1 with why; the caller then asks.
 */
int hello_published(const char *socket_path, struct bia_hello *out, char why[HELLO_WHY_SIZE]);

#endif
