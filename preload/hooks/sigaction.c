/*
 * sigaction() and glibc's other name for it, __sigaction: the handler is
 * installed behind a trampoline that lets the library translate the
 * handler's own calls (core/runtime/sigwrap.c); oldact shows the program's handler.
 */
#include "runtime/real.h"
#include "runtime/sigwrap.h"

BIA_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
    return bia_sigwrap_action(sig, act, oldact);
}

BIA_EXPORT int __sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
    return bia_sigwrap_action(sig, act, oldact);
}
