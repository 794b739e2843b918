/*
 * Two tables, one per handler kind (plain and SA_SIGINFO), each read only
 * by its own trampoline: while a new handler replaces an old one of the
 * other kind, a signal still reaching the old trampoline runs the old
 * handler, exactly what the kernel would have done. Everything here is
 * atomic loads and stores: async-signal-safe, like sigaction itself.
 */
#define _GNU_SOURCE
#include "runtime/sigwrap.h"

#include "runtime/real.h"

#include <stdbool.h>

typedef void (*bia_siginfo_handler)(int, siginfo_t *, void *);

static bia_sighandler plain[_NSIG];
static bia_siginfo_handler with_info[_NSIG];

static void run_plain(int sig)
{
    bia_sighandler h = __atomic_load_n(&plain[sig], __ATOMIC_ACQUIRE);
    bool saved = bia_guard_suspend();

    if (h)
        h(sig);
    bia_guard_resume(saved);
}

static void run_with_info(int sig, siginfo_t *info, void *context)
{
    bia_siginfo_handler h = __atomic_load_n(&with_info[sig], __ATOMIC_ACQUIRE);
    bool saved = bia_guard_suspend();

    if (h)
        h(sig, info, context);
    bia_guard_resume(saved);
}

/* A handler the trampolines can stand in for: a function, on a signal a
 * program may catch (the kernel refuses the others with EINVAL itself). */
static bool wrappable(int sig, bia_sighandler h)
{
    return sig > 0 && sig < _NSIG && sig != SIGKILL && sig != SIGSTOP && h != SIG_DFL &&
           h != SIG_IGN && h != SIG_HOLD && h != SIG_ERR;
}

/* The program's view of a disposition the kernel reports (in the union of
 * struct sigaction, as libc gives it). */
static void unwrap(struct sigaction *sa, bia_sighandler was_plain, bia_siginfo_handler was_info)
{
    if (sa->sa_handler == run_plain)
        sa->sa_handler = was_plain;
    else if (sa->sa_sigaction == run_with_info)
        sa->sa_sigaction = was_info;
}

int bia_sigwrap_action(int sig, const struct sigaction *act, struct sigaction *oldact)
{
    bool info = act && (act->sa_flags & SA_SIGINFO);
    bool wrap = act && wrappable(sig, act->sa_handler);
    bia_sighandler was_plain = NULL;
    bia_siginfo_handler was_info = NULL;
    struct sigaction mine;
    int rc;

    if (sig > 0 && sig < _NSIG) {
        was_plain = __atomic_load_n(&plain[sig], __ATOMIC_ACQUIRE);
        was_info = __atomic_load_n(&with_info[sig], __ATOMIC_ACQUIRE);
    }
    if (wrap) {
        mine = *act;
        if (info) {
            __atomic_store_n(&with_info[sig], act->sa_sigaction, __ATOMIC_RELEASE);
            mine.sa_sigaction = run_with_info;
        } else {
            __atomic_store_n(&plain[sig], act->sa_handler, __ATOMIC_RELEASE);
            mine.sa_handler = run_plain;
        }
        act = &mine;
    }
    rc = bia_real()->sigaction(sig, act, oldact);
    if (rc && wrap) {             /* the kernel kept the old handler: so do we */
        __atomic_store_n(&plain[sig], was_plain, __ATOMIC_RELEASE);
        __atomic_store_n(&with_info[sig], was_info, __ATOMIC_RELEASE);
    }
    if (!rc && oldact)
        unwrap(oldact, was_plain, was_info);
    return rc;
}

bia_sighandler bia_sigwrap_signal(bia_sighandler (*real_fn)(int, bia_sighandler), int sig,
                                  bia_sighandler handler)
{
    bool wrap = wrappable(sig, handler);
    bia_sighandler was_plain = NULL;
    bia_siginfo_handler was_info = NULL;
    struct sigaction old;

    if (sig > 0 && sig < _NSIG) {
        was_plain = __atomic_load_n(&plain[sig], __ATOMIC_ACQUIRE);
        was_info = __atomic_load_n(&with_info[sig], __ATOMIC_ACQUIRE);
    }
    if (wrap)
        __atomic_store_n(&plain[sig], handler, __ATOMIC_RELEASE);
    old.sa_handler = real_fn(sig, wrap ? run_plain : handler);
    if (old.sa_handler == SIG_ERR) {
        if (wrap)
            __atomic_store_n(&plain[sig], was_plain, __ATOMIC_RELEASE);
        return SIG_ERR;
    }
    unwrap(&old, was_plain, was_info);
    return old.sa_handler;
}
