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
#include <netinet/in.h>
#include <stdbool.h>

/* The IPv4 address a peer's IPv6 address is shown as: a v4-mapped one as
 * itself, :: as 0.0.0.0, any other as its pool address (MAP6), 0.0.0.0
 * when the helper cannot say (logged), as the preload shows it. */
struct in_addr names_peer_v4(const struct in6_addr *a);

void names_answer(int listener, const struct seccomp_notif *req, bool peer);

#endif
