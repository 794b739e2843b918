/*
 * The trapped call's process, seen from the supervisor: its descriptors
 * (pidfd_getfd: the same open file description, so the same flags), its
 * memory (process_vm_readv/writev), and the answers to the call.
 */
#ifndef BIA_SUPERVISOR_TARGET_H
#define BIA_SUPERVISOR_TARGET_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* A copy of the target's descriptor fd (closed by the caller), or -1. */
int target_fd(const struct seccomp_notif *req, int fd);

/* Whether the target's descriptor fd is close-on-exec (/proc/PID/fdinfo). */
bool target_fd_cloexec(const struct seccomp_notif *req, int fd);

/* 0 when all len bytes were copied, else -1 (the kernel's EFAULT). */
int target_read(const struct seccomp_notif *req, uint64_t addr, void *buf, size_t len);
int target_write(const struct seccomp_notif *req, uint64_t addr, const void *buf, size_t len);

/* The same through the target's iovecs (n of them): 0, or -1. */
int target_readv(const struct seccomp_notif *req, const struct iovec *remote, size_t n, void *buf, size_t len);
int target_writev(const struct seccomp_notif *req, const struct iovec *remote, size_t n, const void *buf,
                  size_t len);

/* Whether the call still waits for its answer (the memory read is its own). */
bool target_alive(int listener, const struct seccomp_notif *req);

/* The call's result: 0 or a positive errno. */
void target_answer(int listener, const struct seccomp_notif *req, int err);

/* The call's result when it succeeded: a count or a descriptor. */
void target_return(int listener, const struct seccomp_notif *req, long long val);

/* Lets the kernel run the call itself, as if nothing had trapped it. */
void target_continue(int listener, const struct seccomp_notif *req);

#endif
