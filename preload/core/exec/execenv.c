/* See execenv.h; the exec hooks are in preload/hooks/exec*.c, posix_spawn*.c,
 * system.c and popen.c. */
#include "exec/execenv.h"

#include "fd/sockhist.h"
#include "fd/usage.h"
#include "runtime/newproc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define TRANSLATED BIA_FDINHERIT_NAME "="
#define V6PROG BIA_V6INHERIT_NAME "="

static bool is(const char *entry, const char *prefix)
{
    return !strncmp(entry, prefix, strlen(prefix));
}

/* The records envp already carries under prefix, or NULL. */
static const char *carried_in(char *const envp[], const char *prefix)
{
    const char *carried = NULL;

    for (size_t i = 0; envp && envp[i]; i++)
        if (is(envp[i], prefix))
            carried = envp[i] + strlen(prefix);
    return carried;
}

size_t bia_execenv_slots(char *const envp[])
{
    size_t n = 0;

    while (envp && envp[n])
        n++;
    return n + 3;
}

/* Which variables this process has records for, written into text. */
static void encode(char *const envp[], struct bia_execenv_text *text, bool *tr, bool *v6)
{
    /* A vfork child has reported no use of its own: the new program must. */
    pid_t announcer = bia_newproc_own() ? getpid() : 0;

    bia_usage_before_exec();
    *tr = bia_fdinherit_encode(text->translated, carried_in(envp, TRANSLATED), announcer);
    *v6 = bia_v6inherit_encode(text->v6prog, carried_in(envp, V6PROG));
}

char *const *bia_execenv(char *const envp[], char **out, struct bia_execenv_text *text)
{
    size_t n = 0;
    bool tr, v6;

    bia_sockhist_shared();      /* the new program (or a vfork parent) may hold them too */
    encode(envp, text, &tr, &v6);
    if (!tr && !v6)
        return envp;
    for (size_t i = 0; envp && envp[i]; i++)
        if (!(tr && is(envp[i], TRANSLATED)) && !(v6 && is(envp[i], V6PROG)))
            out[n++] = envp[i];
    if (tr)
        out[n++] = text->translated;
    if (v6)
        out[n++] = text->v6prog;
    out[n] = NULL;
    return out;
}

/* The values are hex digits and commas: nothing the shell would interpret. */
char *bia_execenv_command(const char *command)
{
    struct bia_execenv_text text;
    char *line;
    bool tr, v6;
    size_t len;

    bia_sockhist_shared();      /* the command may inherit sockets */
    if (!command)
        return NULL;
    encode(environ, &text, &tr, &v6);
    if (!tr && !v6)
        return NULL;
    len = strlen("export \n") * 2 + (tr ? strlen(text.translated) : 0) +
          (v6 ? strlen(text.v6prog) : 0) + strlen(command) + 1;
    line = malloc(len);
    if (line) {
        line[0] = '\0';
        if (tr)
            strcat(strcat(strcat(line, "export "), text.translated), "\n");
        if (v6)
            strcat(strcat(strcat(line, "export "), text.v6prog), "\n");
        strcat(line, command);
    }
    return line;
}
