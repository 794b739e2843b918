/* See execenv.h; the exec hooks are in preload/hooks/exec*.c, posix_spawn*.c,
 * system.c and popen.c. */
#include "execenv.h"

#include "sockhist.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

#define PREFIX BIA_FDINHERIT_NAME "="

static bool is_ours(const char *entry)
{
    return !strncmp(entry, PREFIX, sizeof PREFIX - 1);
}

/* The records envp already carries, or NULL. */
static const char *carried_in(char *const envp[])
{
    const char *carried = NULL;

    for (size_t i = 0; envp && envp[i]; i++)
        if (is_ours(envp[i]))
            carried = envp[i] + sizeof PREFIX - 1;
    return carried;
}

size_t bia_execenv_slots(char *const envp[])
{
    size_t n = 0;

    while (envp && envp[n])
        n++;
    return n + 2;
}

char *const *bia_execenv(char *const envp[], char **out, char text[BIA_FDINHERIT_SIZE])
{
    size_t n = 0;

    bia_sockhist_shared();      /* the new program (or a vfork parent) may hold them too */
    if (!bia_fdinherit_encode(text, carried_in(envp)))
        return envp;
    for (size_t i = 0; envp && envp[i]; i++)
        if (!is_ours(envp[i]))
            out[n++] = envp[i];
    out[n++] = text;
    out[n] = NULL;
    return out;
}

/* The value is hex digits and commas: nothing the shell would interpret. */
char *bia_execenv_command(const char *command)
{
    char text[BIA_FDINHERIT_SIZE], *line;
    size_t len;

    bia_sockhist_shared();      /* the command may inherit sockets */
    if (!command || !bia_fdinherit_encode(text, carried_in(environ)))
        return NULL;
    len = strlen("export ") + strlen(text) + 1 + strlen(command) + 1;
    line = malloc(len);
    if (line) {
        strcpy(line, "export ");
        strcat(line, text);
        strcat(line, "\n");
        strcat(line, command);
    }
    return line;
}
