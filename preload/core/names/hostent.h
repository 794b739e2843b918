/* gethostbyname()/gethostbyname_r() for names the helper resolves. */
#ifndef BIA_HOSTENT_H
#define BIA_HOSTENT_H

#include <netdb.h>
#include <stddef.h>

/*
 * gethostbyname_r() for a name bia_name_is_ours() accepts, with glibc's
 * results: 0 and *result = ret on success; 0, *result = NULL and
 * *h_errnop (and h_errno, as glibc's resolver) HOST_NOT_FOUND or NO_DATA
 * when there is no address; ERANGE
 * (h_errno NETDB_INTERNAL) when buf is too small; EAGAIN with TRY_AGAIN
 * when the helper is unreachable or DNS failed for now; EIO with
 * NO_RECOVERY otherwise. errno is set to the return value, as glibc does.
 */
int bia_gethostbyname4_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop);

/* gethostbyname(): the same, into storage of the calling thread. */
struct hostent *bia_gethostbyname4(const char *name);

/*
 * gethostbyname2_r(name, AF_INET6) for a name bia_name_is_ours() accepts:
 * on an IPv4-only network the helper's IPv6 answer (RESOLVE family 6:
 * synthesized ::ffff:a.b.c.d addresses for A-only names), with the results
 * of bia_gethostbyname4_r(); on any other network libc's.
 */
int bia_gethostbyname6_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop);

/* gethostbyname2(name, AF_INET6): the same, into storage of the calling thread. */
struct hostent *bia_gethostbyname6(const char *name);

/*
 * gethostbyaddr_r() for an IPv4 address bia_reverse_is_ours() accepts:
 * the name the helper made it for (NAME4), with the results of
 * bia_gethostbyname4_r(); HOST_NOT_FOUND when it knows no name.
 */
int bia_gethostbyaddr4_r(struct in_addr v4, struct hostent *ret, char *buf, size_t buflen,
                         struct hostent **result, int *h_errnop);

/* gethostbyaddr(): the same, into storage of the calling thread. */
struct hostent *bia_gethostbyaddr4(struct in_addr v4);

#endif
