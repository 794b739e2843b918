/*
 * Asks the helper on a socket for HELLO, with bia_protocol.h's encoder and
 * decoder: whether a helper answers there, and the pool and synthesis the
 * program's environment carries.
 */
#ifndef BIA_LAUNCHER_HELLO_H
#define BIA_LAUNCHER_HELLO_H

#include "bia_protocol.h"

#define HELLO_WHY_SIZE 200

/* 0 with *out filled when a helper answered OK within timeout_ms, else -1
 * with why saying what happened. */
int hello_ask(const char *socket_path, int timeout_ms, struct bia_hello *out, char why[HELLO_WHY_SIZE]);

#endif
