/*
 * What the program did to each AF_INET TCP or UDP socket it made through
 * the socket() hook: which of the options a swap carries over
 * (swap.c) it set. A swap of a socket whose history is known copies just
 * those, instead of reading every option of the old socket (~30 system
 * calls) to find the ones that differ from the defaults.
 *
 * A history is kept per descriptor number and names its socket by inode,
 * so a number reused behind the hooks (a raw close, glibc's internal close
 * in fclose) shows up as another socket. It is given up, and the swap
 * falls back to comparing every option, whenever an option could have been
 * set without the setsockopt hook seeing it on this descriptor:
 *   - the socket got a second descriptor (dup, dup2, dup3, F_DUPFD);
 *   - it may be shared with another process: any fork (or raw clone), exec, posix_spawn,
 *     system or popen, and any sendmsg with control data (SCM_RIGHTS
 *     among others),
 *     ends the history of every socket made before it;
 *   - it was not made by this process under bia (inherited across exec,
 *     received over a Unix socket, made before the library was active).
 * Not covered (documented in docs/function-mapper.md): options set by raw
 * system calls (syscall(SYS_setsockopt), io_uring) on a socket whose
 * history is known, and descriptors duplicated by raw system calls.
 *
 * The history is a part of the socket's record (sockrec.h); a dup or a
 * close ends it there. Lock-free and async-signal-safe, like the record.
 */
#ifndef BIA_SOCKHIST_H
#define BIA_SOCKHIST_H

#include "fd/sockrec.h"

#include <stdbool.h>
#include <sys/socket.h>

/* fd was just returned by socket(domain, type, protocol). */
void bia_sockhist_born(int fd, int domain, int type, int protocol);

/* Starts the history in rec, the record of a socket just made by
 * socket(domain, type, protocol), for a caller that writes the record
 * itself; false (rec unchanged) for a socket a swap does not handle. */
bool bia_sockhist_start(struct bia_sockrec *rec, int domain, int type, int protocol);

/* The program is setting options on fd (bia_swap_option_bits()). */
void bia_sockhist_option(int fd, unsigned bits);

/* Every socket made so far may be shared with another process. */
void bia_sockhist_shared(void);

/* msg is about to be sent: bia_sockhist_shared() if it has control data
 * (which may pass descriptors). */
void bia_sockhist_sending(const struct msghdr *msg);

struct bia_sockhist {
    int type, protocol;
    unsigned options;           /* bia_swap_option_bit() of each option set */
};

/* True (costs one fstat) if fd's socket is the one made by socket() and
 * its history is complete. */
bool bia_sockhist_get(int fd, struct bia_sockhist *out);

#endif
