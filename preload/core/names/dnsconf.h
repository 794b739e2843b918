/*
 * The two files that say where a program's own DNS query goes instead
 * (dnssteer.h): the nameservers of resolv.conf, and the helper's DNS
 * endpoint, SOCKET.dns beside its socket ("port6only port4only have_ipv6
 * netns", docs/protocol.md). Plain file reading, no library state: the
 * supervisor links this file as it links client/protocol.c.
 */
#ifndef BIA_DNSCONF_H
#define BIA_DNSCONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/stat.h>

#define BIA_DNSCONF_MAX_SERVERS 8   /* more than glibc's 3: bind's tools read more */

struct bia_dns_endpoint {
    unsigned port6only, port4only;  /* the ports for an IPv6-only and an IPv4-only network */
    int have_ipv6;                  /* ::1 is served too */
};

struct bia_dns_servers {
    int n4, n6;
    struct in_addr v4[BIA_DNSCONF_MAX_SERVERS];
    struct in6_addr v6[BIA_DNSCONF_MAX_SERVERS];
};

/* The nameservers of the resolv.conf at path; none when it cannot be read. */
void bia_dnsconf_servers(const char *path, struct bia_dns_servers *out);

/* Whether a is one of s's servers, or the loopback address a resolver
 * falls back to when s lists only servers of the other family (an
 * IPv4-mapped address counts as its IPv4 one). */
bool bia_dnsconf_lists4(const struct bia_dns_servers *s, struct in_addr a);
bool bia_dnsconf_lists6(const struct bia_dns_servers *s, const struct in6_addr *a);

/* SOCKET.dns of socket_path, opened when the helper socket's owner wrote
 * it and a running helper holds its lock (a dead helper's file is left
 * unlocked); -1 otherwise. *st gets its identity, for a caller that
 * caches what it read. */
int bia_dnsconf_open_endpoint(const char *socket_path, struct stat *st);

/* Reads the endpoint from fd (from bia_dnsconf_open_endpoint; closed
 * here); false when malformed or written for another network namespace
 * (loopback ports mean nothing in another). */
bool bia_dnsconf_read_endpoint(int fd, struct bia_dns_endpoint *out);

#endif
