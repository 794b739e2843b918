/*
 * Asks the helper on a socket for HELLO, with bia_protocol.h's encoder and
 * decoder (or reads its published answer): whether a helper answers there,
 * and the pool and synthesis the program's environment carries.
 */
#ifndef BIA_LAUNCHER_HELLO_H
#define BIA_LAUNCHER_HELLO_H

#include "bia_protocol.h"
#include "bia_socktrust.h"

#define HELLO_WHY_SIZE BIA_TRUST_WHY_SIZE

/* 0 with *out filled when a helper answered OK within timeout_ms, else -1
 * with why saying what happened. A helper too busy to take the connection
 * (its backlog full) is asked again, with backoff, for up to busy_ms. The
 * socket was checked by bia_socktrust_path into *trust; its listener is
 * checked before anything is sent. */
int hello_ask(const char *socket_path, const struct bia_socktrust *trust, int timeout_ms, int busy_ms,
              struct bia_hello *out, char why[HELLO_WHY_SIZE]);

/*
 * The same answer without asking: the HELLO reply a private helper keeps
 * in its published table (SOCKET.map, docs/protocol.md), believed when the
 * file is this user's, current, and a helper listens on the socket. 0 with
 * *out filled, else -1 with why; the caller then asks.
 */
int hello_published(const char *socket_path, const struct bia_socktrust *trust, struct bia_hello *out,
                    char why[HELLO_WHY_SIZE]);

#endif
