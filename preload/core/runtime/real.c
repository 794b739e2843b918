/* Looks up the real libc symbols behind the hooks (dlsym RTLD_NEXT), each
 * line of real.def. */
#define _GNU_SOURCE
#include "runtime/real.h"

#include <dlfcn.h>
#include <pthread.h>

static struct bia_real real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

/* initial-exec: the library is preloaded, and this must not allocate. */
static __thread bool inside __attribute__((tls_model("initial-exec")));

static void lookup_all(void)
{
#define BIA_REAL(ret, name, params) \
    real.name = (__typeof__(real.name))dlsym(RTLD_NEXT, #name);
#include "runtime/real.def"
#undef BIA_REAL
}

const struct bia_real *bia_real(void)
{
    pthread_once(&real_once, lookup_all);
    return &real;
}

/* At load, before the program can install a signal handler: a handler
 * calling a hook while this thread was inside lookup_all (dlsym) would
 * otherwise wait for that pthread_once forever. */
__attribute__((constructor)) static void real_at_load(void)
{
    bia_real();
}

bool bia_guard_enter(void)
{
    if (inside)
        return false;
    inside = true;
    return true;
}

void bia_guard_leave(void)
{
    inside = false;
}

bool bia_guard_suspend(void)
{
    bool saved = inside;

    inside = false;
    return saved;
}

void bia_guard_resume(bool saved)
{
    inside = saved;
}
