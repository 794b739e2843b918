/* AI_ADDRCONFIG under bia: the host can use both IP versions. */
#ifndef BIA_ADDRCONFIG_H
#define BIA_ADDRCONFIG_H

#include <netdb.h>
#include <stdbool.h>

/*
 * The hints to give libc for getaddrinfo(node, ..., hints): hints itself,
 * or a copy in *own without AI_ADDRCONFIG (NULL hints: glibc's default
 * AI_V4MAPPED alone) when libc would use that flag to remove an IP version
 * bia serves. libc counts the host's own addresses, and a host without
 * IPv4 (or IPv6) has none of that version, yet through bia its programs
 * reach IPv4 (or IPv6) peers and bind IPv4 (or IPv6) wildcards. So on an
 * IPv6-only or IPv4-only network the flag is dropped for a NULL node and
 * literals (`name` false: servers' AI_PASSIVE lookups, numeric peers), and
 * for host names on an IPv6-only network (`name` true: their A records are
 * what the helper would answer too). Kept: a host name on an IPv4-only
 * network (an AAAA record libc would add is reachable only through a
 * pairing the helper makes, which its own answer gives instead), and a
 * NULL node for AF_UNSPEC (the host's own version serves the program, and
 * a wildcard of each, bound in turn, would collide: bia binds 0.0.0.0 as
 * a dual-stack [::]).
 */
const struct addrinfo *bia_addrconfig_hints(const char *node, const struct addrinfo *hints,
                                            bool name, struct addrinfo *own);

#endif
