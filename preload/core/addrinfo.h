/* getaddrinfo() for AF_INET names, answered by the helper. */
#ifndef BIA_ADDRINFO_H
#define BIA_ADDRINFO_H

#include <netdb.h>
#include <stdbool.h>

/*
 * getaddrinfo(node, service, hints, res) for hints->ai_family == AF_INET
 * and a node bia_name_is_ours() accepts. Service, socket type and flags
 * are checked by libc itself first, so their errors are libc's own.
 */
int bia_getaddrinfo4(const char *node, const char *service, const struct addrinfo *hints,
                     struct addrinfo **res);

/*
 * getaddrinfo() for AF_UNSPEC (or no hints) and a node bia_name_is_ours()
 * accepts: libc's answer, and when it has no IPv4 address at all (an
 * IPv6-only name, or AI_ADDRCONFIG on an IPv6-only host) and the network
 * has IPv6, the helper's IPv4 addresses appended after libc's, so that
 * IPv6-capable programs still try native IPv6 first (RFC 6724) while
 * programs that keep only AF_INET entries find one. Names with an A
 * record cost nothing beyond libc's own lookup.
 */
int bia_getaddrinfo_any(const char *node, const char *service, const struct addrinfo *hints,
                        struct addrinfo **res);

/* Frees ai and returns true if it is a list bia_getaddrinfo4() returned. */
bool bia_addrinfo_release(struct addrinfo *ai);

#endif
