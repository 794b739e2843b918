/* Host names the helper resolves for IPv4 programs (RESOLVE, family 4). */
#ifndef BIA_NAMES_H
#define BIA_NAMES_H

#include "bia_protocol.h"

#include <stdbool.h>

/*
 * A name the library resolves: not an address literal (anything
 * inet_aton accepts, or anything with a ':'), not empty, and short enough
 * for the protocol. Others go to libc as they are.
 */
bool bia_name_is_ours(const char *name);

/*
 * Asks the helper. Returns 0 and the reply (any status), or -1 when the
 * helper could not be reached (already logged). Entries of an OK reply
 * are remembered in the mapping cache, so a connect to one of the
 * addresses needs no further round trip.
 */
int bia_resolve4(const char *name, struct bia_reply *reply);

#endif
