/*
 * signal() and its glibc names bsd_signal and ssignal (one function in
 * libc): glibc calls its sigaction internally, out of the sigaction hook's
 * sight, so the handler is wrapped here (core/runtime/sigwrap.c) and libc's own
 * signal() keeps its BSD semantics (SA_RESTART, siginterrupt).
 */
#include "runtime/real.h"
#include "runtime/sigwrap.h"

BIA_EXPORT bia_sighandler signal(int sig, bia_sighandler handler)
{
    return bia_sigwrap_signal(bia_real()->signal, sig, handler);
}

BIA_EXPORT bia_sighandler bsd_signal(int sig, bia_sighandler handler)
{
    return bia_sigwrap_signal(bia_real()->signal, sig, handler);
}

BIA_EXPORT bia_sighandler ssignal(int sig, bia_sighandler handler)
{
    return bia_sigwrap_signal(bia_real()->signal, sig, handler);
}
