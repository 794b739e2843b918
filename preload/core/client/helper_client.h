/*
 * One request, one reply, on a connection the process keeps to the helper
 * (helper_conn.h): the call owns it from request to reply, so threads,
 * signal handlers and fork children never see each other's frames, and a
 * reply is matched to its request by type and id.
 */
#ifndef BIA_HELPER_CLIENT_H
#define BIA_HELPER_CLIENT_H

#include "bia_protocol.h"

#include <stdbool.h>
#include <stddef.h>

/* Room for a reason such as "connect /run/user/1000/bia.sock: Connection refused",
 * or a refusal of the socket (bia_socktrust.h). */
#define BIA_WHY_SIZE 512

/*
 * Each returns 0 when a well-formed reply of the right type and id arrived
 * (its status may still be an error), or -1 when the helper could not be
 * reached, did not answer in time, or answered with a malformed frame; why
 * then says which. errno is left as it was in both cases.
 */
int bia_helper_hello(struct bia_reply *reply, char why[BIA_WHY_SIZE]);
/* family: BIA_FAMILY_V4 or BIA_FAMILY_V6, the program's. */
int bia_helper_resolve(uint8_t family, const char *name, size_t name_len, struct bia_reply *reply,
                       char why[BIA_WHY_SIZE]);
int bia_helper_map4(struct in_addr v4, struct bia_reply *reply, char why[BIA_WHY_SIZE]);
int bia_helper_map6(const struct in6_addr *v6, struct bia_reply *reply,
                    char why[BIA_WHY_SIZE]);
int bia_helper_name4(struct in_addr v4, struct bia_reply *reply, char why[BIA_WHY_SIZE]);
int bia_helper_synth(struct in_addr v4, struct bia_reply *reply, char why[BIA_WHY_SIZE]);

/*
 * Sends one frame the helper does not answer (USE, RELEASE) as a datagram
 * on the helper's use socket (usesock.h) or, when that cannot be done, on
 * a kept helper connection (on a connection closed at once unless keep: at
 * start-up, before the program has opened its own descriptors) and
 * returns at once: 0 when it was handed to the kernel, -1 when the helper
 * could not be reached either way within 1 ms. Makes only system calls
 * (async-signal-safe) and leaves errno as it was.
 */
int bia_helper_notify(const uint8_t *frame, size_t len, bool keep);

#endif
