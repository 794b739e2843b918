/* getnameinfo() for addresses the helper named (NAME4), and for the
 * synthesized IPv6 addresses IPv4 peers have in IPv6 programs. */
#ifndef BIA_NAMEINFO_H
#define BIA_NAMEINFO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

/*
 * getnameinfo() for an AF_INET sockaddr of at least sizeof(struct
 * sockaddr_in) bytes whose address bia_reverse_is_ours() accepts, with a
 * host buffer, without NI_NUMERICHOST. glibc's rules: flags and the
 * service part are libc's own; the host is the helper's name (NI_NOFQDN
 * cuts the local domain), else the numeric address unless NI_NAMEREQD
 * (EAI_NONAME); EAI_AGAIN when the helper cannot answer; EAI_OVERFLOW when
 * host is too small.
 */
int bia_getnameinfo4(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen,
                     char *serv, socklen_t servlen, int flags);

/* If sa (an AF_INET6 sockaddr of at least sizeof(struct sockaddr_in6)
 * bytes) is a synthesized address in a format other than the mapped one
 * (glibc already names ::ffff:a.b.c.d by its IPv4 address): true, with the
 * IPv4 address it stands for in *v4. */
bool bia_nameinfo_synthesized(const struct sockaddr *sa, struct in_addr *v4);

/*
 * getnameinfo() for such a synthesized address, with a host buffer,
 * without NI_NUMERICHOST: it is named as the IPv4 address v4 it stands
 * for, by the helper or by libc's reverse lookup of v4, since no name
 * server holds the ip6.arpa name of an address bia made up. Without such a
 * name, libc answers for the IPv6 address as usual (numeric, or its PTR).
 */
int bia_getnameinfo6(const struct sockaddr *sa, socklen_t salen, struct in_addr v4, char *host,
                     socklen_t hostlen, char *serv, socklen_t servlen, int flags);

#endif
