/*
 * Tells the helper which mappings this process's sockets use (USE and
 * RELEASE in docs/protocol.md), so that it never expires a mapping or
 * gives its address to another peer while a connection still needs it.
 *
 * Only a process's first socket using a mapping (USE) and its last one
 * closing (RELEASE, after a linger of a second) are reported (usecount.h),
 * so the helper counts processes per mapping, not sockets. Fire-and-forget: each report is one
 * frame the helper does not answer, a datagram on its use socket or, when
 * that cannot be sent, a frame on a kept helper connection
 * (bia_helper_notify), so a translated connect or accept waits for no
 * round trip and a fresh process opens no connection, and a report that
 * cannot be delivered either way at once is dropped (logged at debug). A lost USE leaves a mapping unheld
 * (the old behaviour: it lives for the idle timeout); a lost RELEASE holds
 * it until the process ends, which the helper notices by itself.
 *
 * A socket is a use of the mapping of its IPv4 peer when that peer stands
 * for a real IPv6 address (a pool or paired address), not when it is an
 * IPv4 address carried v4-mapped. Every function is async-signal-safe and
 * leaves errno alone, and does nothing in a vfork child (whose memory,
 * counts included, is its parent's).
 */
#ifndef BIA_USAGE_H
#define BIA_USAGE_H

#include "fd/fdtable.h"

/* fd is about to carry info (a translated connect or accept): reports the
 * use, and the release of what fd used before (before: the entry the
 * caller just read for fd, or NULL for none) when that differs. The caller
 * has checked that this process owns its records (bia_sockrec_owned()). */
void bia_usage_begin(int fd, const struct bia_fdinfo *before, const struct bia_fdinfo *info);

/* fd's socket was bound to v4, a pool or paired address standing for an
 * IPv6 address of this host: its mapping is in use until the socket
 * closes, whatever it connects to. */
void bia_usage_bound(int fd, struct in_addr v4);

/* fd, whose record is rec, is about to be closed: reports the release
 * when it is the process's last descriptor of its socket. The caller owns
 * the records (bia_sockrec_owned()). No system call unless a release is
 * due or another descriptor's record names the same socket. */
void bia_usage_end(int fd, const struct bia_sockrec *rec);

/* dup2/dup3(oldfd, newfd) is about to close newfd's socket: as
 * bia_usage_end() of newfd, if the dup will succeed. Costs no system call
 * when newfd carries no mapping. */
void bia_usage_before_dup(int oldfd, int newfd);

/* An exec (or spawn) is about to run: the lingering releases go now, since
 * the new program knows nothing of them. */
void bia_usage_before_exec(void);

/* In a new process (newproc.h): announces the mappings its inherited
 * sockets use as its own, and forgets the parent's lingering releases. */
void bia_usage_forked(void);

/* close_range(first, last) is about to close those descriptors: reports
 * the release of each mapping whose last socket they carry. */
void bia_usage_end_range(unsigned first, unsigned last);

#endif
