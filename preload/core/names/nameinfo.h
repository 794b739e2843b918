/* getnameinfo() for addresses the helper named (NAME4). */
#ifndef BIA_NAMEINFO_H
#define BIA_NAMEINFO_H

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

#endif
