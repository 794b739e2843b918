/*
 * setsockopt/getsockopt on a swapped socket: the program still speaks
 * IPPROTO_IP and expects an AF_INET socket.
 */
#ifndef BIA_SOCKOPT_H
#define BIA_SOCKOPT_H

#include <stdbool.h>
#include <sys/socket.h>

/* The IPPROTO_IPV6 option that does for IPv6 peers what IPPROTO_IP
 * option name does for IPv4 ones; false if there is none. */
bool bia_sockopt_v6_twin(int name, int *name6);

/*
 * IPPROTO_IP options are set at their own level (they still govern
 * v4-mapped peers) and at their IPv6 twin's; IPv4 multicast options fail
 * with ENOPROTOOPT (draft section 7). Returns what setsockopt() returns.
 */
int bia_setsockopt(int fd, int level, int name, const void *value, socklen_t len);

/* SO_DOMAIN answers AF_INET; IP_MTU answers IPV6_MTU (on a swapped socket);
 * IPV6_V6ONLY answers what the program set (v6only.h). */
int bia_getsockopt(int fd, int level, int name, void *value, socklen_t *len);

#endif
