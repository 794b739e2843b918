/*
 * The environment an exec hook hands to the real exec: the program's own,
 * plus BIA_TRANSLATED when this process has translated sockets the new
 * program may inherit (see fdinherit.h) and BIA_V6PROG when it has marked
 * sockets of an IPv6 program (v6inherit.h). Built on the caller's stack:
 * exec functions are async-signal-safe and may run in a vfork child.
 */
#ifndef BIA_EXECENV_H
#define BIA_EXECENV_H

#include "fd/fdinherit.h"
#include "v6prog/v6inherit.h"

#include <stddef.h>

/* How many pointers bia_execenv() may need for envp. */
size_t bia_execenv_slots(char *const envp[]);

/* Room for the variables bia_execenv() adds. */
struct bia_execenv_text {
    char translated[BIA_FDINHERIT_SIZE];
    char v6prog[BIA_V6INHERIT_SIZE];
};

/* envp itself if there is nothing to add, else out (bia_execenv_slots()
 * pointers) holding envp with BIA_TRANSLATED and BIA_V6PROG replaced by
 * those of text. */
char *const *bia_execenv(char *const envp[], char **out, struct bia_execenv_text *text);

/*
 * For system() and popen(), whose spawn inside glibc no hook sees: command
 * preceded by a line that exports BIA_TRANSLATED and BIA_V6PROG to it, in memory from
 * malloc; NULL if there is nothing to add (or no memory).
 */
char *bia_execenv_command(const char *command);

/* Declares `name`, the environment to exec with instead of envp. */
#define BIA_EXECENV(name, envp)                                 \
    struct bia_execenv_text name##_text;                        \
    char *name##_slots[bia_execenv_slots(envp)];                \
    char *const *name = bia_execenv(envp, name##_slots, &name##_text)

/* Declares `name`, the NULL-terminated argv of an execl-style call whose
 * first argument is `first`, and name_count, its length with the NULL.
 * Expects <stdarg.h>. */
#define BIA_EXECARGS(name, first)                                       \
    size_t name##_count = 1;                                            \
    va_list name##_ap;                                                  \
    va_start(name##_ap, first);                                         \
    for (const char *a_ = first; a_; a_ = va_arg(name##_ap, const char *)) \
        name##_count++;                                                 \
    va_end(name##_ap);                                                  \
    char *name[name##_count];                                           \
    name[0] = (char *)first;                                            \
    va_start(name##_ap, first);                                         \
    for (size_t i_ = 1; i_ < name##_count; i_++)                        \
        name[i_] = va_arg(name##_ap, char *);                           \
    va_end(name##_ap)

#endif
