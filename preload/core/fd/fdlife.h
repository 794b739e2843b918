/*
 * A descriptor's life as the hooks of close, close_range, dup, dup2, dup3
 * and fcntl(F_DUPFD*) see it: each is one call here, which ends or starts
 * the mapping uses (usage.h) and drops or copies the socket's record
 * (sockrec.h), in the order they need (uses first: they read the record).
 * Async-signal-safe, like those calls.
 */
#ifndef BIA_FDLIFE_H
#define BIA_FDLIFE_H

/* fd is about to be closed. */
void bia_fd_closing(int fd);

/* close_range(first, last) is about to close those descriptors. */
void bia_fd_closing_range(unsigned first, unsigned last);

/* dup2/dup3(oldfd, newfd) is about to close newfd's socket, if it succeeds. */
void bia_fd_replacing(int oldfd, int newfd);

/* newfd is now a duplicate of oldfd. Leaves errno alone. */
void bia_fd_duplicated(int oldfd, int newfd);

#endif
