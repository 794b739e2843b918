/*
 * An address the supervisor gives the program (getpeername, accept,
 * recvfrom, recvmsg) is written into its memory as the kernel's
 * move_addr_to_user writes it: at most the length the program gave, the
 * length then set to the address's full size, EINVAL for a negative
 * length, EFAULT for a bad pointer.
 */
#ifndef BIA_SUPERVISOR_SOCKOUT_H
#define BIA_SUPERVISOR_SOCKOUT_H

#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/socket.h>

/* 0 or the errno; addr and len_at are addresses in the target. */
int sockout_copy(const struct seccomp_notif *req, uint64_t addr, uint64_t len_at, const void *sa, socklen_t full);

#endif
