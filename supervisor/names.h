/*
 * getpeername and getsockname of a socket the supervisor put in place
 * answer the IPv4 form the program connected with: the pool address and
 * port of the peer, and 192.0.0.2 (the host's stand-in, architecture.md
 * "This host") for its own end. The answer is written into the target's
 * memory as the kernel writes it: at most *len bytes, *len set to the
 * full size, EINVAL for a negative length, EFAULT for a bad pointer.
 */
#ifndef BIA_SUPERVISOR_NAMES_H
#define BIA_SUPERVISOR_NAMES_H

#include <linux/seccomp.h>
#include <stdbool.h>

void names_answer(int listener, const struct seccomp_notif *req, bool peer);

#endif
