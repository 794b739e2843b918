/*
 * The program's signal handlers run through a trampoline that lifts the
 * library's re-entry guard (real.h) for the handler's duration and puts it
 * back after: a handler that interrupts its thread inside the library
 * (in a connect, or in the real getaddrinfo's DNS wait) has its own
 * connect translated like any other, instead of being taken for the
 * library's own call and passed to libc untouched.
 *
 * The kernel holds the trampoline; the program's handler is kept here, by
 * signal number, and every answer about the old disposition shows the
 * program's handler again. SIG_DFL, SIG_IGN and SIG_HOLD are not wrapped.
 * Handlers installed by raw system call are not seen (and keep the guard's
 * old limit).
 */
#ifndef BIA_SIGWRAP_H
#define BIA_SIGWRAP_H

#include "runtime/real.h"

#include <signal.h>

/* sigaction() with act's handler wrapped; oldact shows the program's. */
int bia_sigwrap_action(int sig, const struct sigaction *act, struct sigaction *oldact);

/* signal(), sysv_signal(), sigset(): install with real_fn, handler wrapped;
 * returns the previous disposition as the program knows it. */
bia_sighandler bia_sigwrap_signal(bia_sighandler (*real_fn)(int, bia_sighandler), int sig,
                                  bia_sighandler handler);

#endif
