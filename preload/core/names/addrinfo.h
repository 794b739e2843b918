/* getaddrinfo() for names the helper answers. */
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
 * programs that keep only AF_INET entries find one. Mirror image: an
 * answer without IPv6 on a network with IPv4 gets synthesized
 * ::ffff:a.b.c.d entries appended after the IPv4 ones (no round trip), so
 * that programs that keep only AF_INET6 entries (curl -6) find one.
 */
int bia_getaddrinfo_any(const char *node, const char *service, const struct addrinfo *hints,
                        struct addrinfo **res);

/*
 * getaddrinfo() for AF_INET6 and a host name: on an IPv4-only network the
 * helper's answer (RESOLVE family 6: synthesized ::ffff:a.b.c.d addresses
 * for A-only names); on a dual-stack one libc's, or the helper's when libc
 * found no IPv6 address. Elsewhere libc's alone.
 */
int bia_getaddrinfo6(const char *node, const char *service, const struct addrinfo *hints,
                     struct addrinfo **res);

/* Frees ai and returns true if it is a list bia_getaddrinfo4() returned. */
bool bia_addrinfo_release(struct addrinfo *ai);

#endif
