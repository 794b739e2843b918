/* getifaddrs() as an IPv6 program on an IPv4-only network should see it. */
#ifndef BIA_IFADDRS6_H
#define BIA_IFADDRS6_H

#include <stdbool.h>

struct ifaddrs;

/*
 * On an IPv4-only network, appends to libc's list an AF_INET6 entry for
 * each IPv4 address of the host but loopback: the same interface, flags
 * and prefix, the address in the synthesized format (::ffff:a.b.c.d by
 * default), which is what getsockname shows an IPv6 program for it. Programs
 * that look for a global IPv6 address before they use IPv6 at all (lftp's
 * dns:order inet6) then find one. Any failure leaves the list as it was.
 */
void bia_ifaddrs_add(struct ifaddrs *list);

/* Unlinks and frees what bia_ifaddrs_add appended to list; false when it
 * appended nothing. libc's freeifaddrs frees the rest. */
bool bia_ifaddrs_release(struct ifaddrs *list);

#endif
