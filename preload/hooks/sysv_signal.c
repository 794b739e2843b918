/* sysv_signal() (and __sysv_signal): as signal(), with System V semantics
 * (SA_RESETHAND | SA_NODEFER) kept by libc's own function. */
#include "runtime/real.h"
#include "runtime/sigwrap.h"

BIA_EXPORT bia_sighandler sysv_signal(int sig, bia_sighandler handler)
{
    return bia_sigwrap_signal(bia_real()->sysv_signal, sig, handler);
}

BIA_EXPORT bia_sighandler __sysv_signal(int sig, bia_sighandler handler)
{
    return bia_sigwrap_signal(bia_real()->sysv_signal, sig, handler);
}
