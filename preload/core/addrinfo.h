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

/* Frees ai and returns true if it is a list bia_getaddrinfo4() returned. */
bool bia_addrinfo_release(struct addrinfo *ai);

#endif
