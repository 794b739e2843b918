/* sigset(): as signal(); SIG_HOLD and the answer SIG_HOLD (the signal was
 * blocked) are libc's own. */
#include "runtime/real.h"
#include "runtime/sigwrap.h"

BIA_EXPORT bia_sighandler sigset(int sig, bia_sighandler handler)
{
    return bia_sigwrap_signal(bia_real()->sigset, sig, handler);
}
