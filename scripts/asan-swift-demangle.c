/*
 * Preloaded after the ASan runtime by scripts/test-sanitized.sh, so that
 * curl (and any program that loads libp11-kit) can run under it.
 *
 * Why: a preloaded ASan runtime is initialized at the first intercepted
 * call, not before the program's libraries. curl's libp11-kit (through
 * gnutls) calls newlocale() from its constructor; newlocale holds glibc's
 * __libc_setlocale_lock for writing and calls malloc, which starts ASan's
 * initialization there. That ends with dlsym(RTLD_DEFAULT, "swift_demangle")
 * and dlerror(), and dlerror() translates its message with dcgettext(),
 * which read-locks the same rwlock (EDEADLK, ignored: the thread is its
 * writer) and then unlocks it, releasing newlocale's write lock. newlocale's
 * own unlock then underflows the reader count, and curl's first setlocale()
 * in main waits forever (gdb: __readers 0xfffffff9 before main).
 *
 * With this definition dlsym finds the symbol, dlerror() has no message to
 * translate, and the lock stays whole. It is never a real demangler: NULL
 * tells ASan the name is not demangled, as when the symbol is absent.
 */
#include <stddef.h>
#include <stdint.h>

char *swift_demangle(const char *mangled, size_t length, char *out, size_t *out_length, uint32_t flags);

char *swift_demangle(const char *mangled, size_t length, char *out, size_t *out_length, uint32_t flags)
{
    (void)mangled;
    (void)length;
    (void)out;
    (void)out_length;
    (void)flags;
    return NULL;
}
