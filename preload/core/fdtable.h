/*
 * Descriptors whose AF_INET socket the library replaced by an AF_INET6
 * one, with the addresses the translation used. Each entry remembers the
 * socket's inode: a descriptor closed behind the library's back (fclose,
 * dup2 onto it, close_range) and reused shows up as a different inode, and
 * its stale entry is dropped instead of being trusted.
 */
#ifndef BIA_FDTABLE_H
#define BIA_FDTABLE_H

#include <netinet/in.h>
#include <stdbool.h>

struct bia_fdinfo {
    struct sockaddr_in v4peer;     /* the peer the program asked for */
    struct sockaddr_in6 v6peer;    /* the peer the socket really has */
};

/* Records (or updates) fd; false if it cannot (fd out of range, no memory). */
bool bia_fdtable_set(int fd, const struct bia_fdinfo *info);

/* Finds a current entry for fd. Costs no system call when the process has
 * no translated socket. */
bool bia_fdtable_get(int fd, struct bia_fdinfo *out);

/* Forgets fd (it is being closed). No lock, no system call if the process
 * has no translated socket. */
void bia_fdtable_drop(int fd);

#endif
