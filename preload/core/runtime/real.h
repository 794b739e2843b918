/*
 * The libc functions the library intercepts, as libc defines them (the
 * list is real.def), and a per-thread guard so that the library never
 * translates its own calls (its own calls of hooked functions, and libc's:
 * an NSS module's connect under the real getaddrinfo). A signal handler runs with the guard
 * lifted (sigwrap.h), so a handler that interrupts the library still has
 * its own calls translated.
 */
#ifndef BIA_REAL_H
#define BIA_REAL_H

#include <netdb.h>
#include <resolv.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

struct ifaddrs;
struct mmsghdr;      /* declared by <sys/socket.h> only with _GNU_SOURCE */
struct timespec;

/* The flags of sendmmsg and recvmmsg: musl's are unsigned. */
#ifdef __GLIBC__
typedef int bia_mmsg_flags;
#else
typedef unsigned int bia_mmsg_flags;
#endif

/* glibc's declarations mark functions that throw no exception; musl's
 * have no such mark (the __res_* aliases repeat glibc's declarations). */
#ifndef __THROW
#define __THROW
#endif

/* Exported hooks: the build hides every other symbol. */
#define BIA_EXPORT __attribute__((visibility("default")))

/* As signal() takes and returns one. */
typedef void (*bia_sighandler)(int);

/* One member per line of real.def. */
struct bia_real {
#define BIA_REAL(ret, name, params) ret (*name) params;
#include "runtime/real.def"
#undef BIA_REAL
};

/*
 * The next definitions after this library, looked up once. libc is always
 * among the objects loaded after a preloaded library (it is one of this
 * library's own dependencies), so none of them is NULL.
 */
const struct bia_real *bia_real(void);

/*
 * Marks the calling thread as inside the library. Returns false if it
 * already was: the caller is then a libc function the library itself
 * called, and must go straight to the real function.
 */
bool bia_guard_enter(void);
void bia_guard_leave(void);

/* Lifts the calling thread's guard for a signal handler; returns what to
 * give back to bia_guard_resume() when the handler is done. */
bool bia_guard_suspend(void);
void bia_guard_resume(bool saved);

#endif
