/*
 * The sockets the supervisor put in place, by inode (the same socket in
 * every process that shares it), with the pool address their program
 * connected to: only those get IPv4 answers from getpeername and
 * getsockname; an IPv6 socket the program made itself is left alone.
 */
#ifndef BIA_SUPERVISOR_OWNED_H
#define BIA_SUPERVISOR_OWNED_H

#include <netinet/in.h>
#include <stdbool.h>

void owned_add(int sock, struct in_addr v4);

/* Whether sock is one of them; *v4 then says which pool address (the
 * latest added for it). */
bool owned_find(int sock, struct in_addr *v4);

/* Whether the supervisor has put any socket in place yet. */
bool owned_any(void);

#endif
