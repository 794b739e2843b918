/* The same grammar as src/cli/args.ts, for a subset of its options. */
#include "runopts.h"

#include "bia_contract.h"

#include <string.h>

/* Takes the value of --NAME VALUE or --NAME=VALUE at *args; -1 if missing. */
static int value_of(char ***args, const char *inline_value, const char **out)
{
    if (inline_value) {
        *out = inline_value;
        return 0;
    }
    if (!(*args)[1])
        return -1;
    *out = *++*args;
    return 0;
}

static int option(char ***args, struct runopts *o)
{
    const char *arg = **args, *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const char *inline_value = eq ? eq + 1 : NULL;

    if (len == 7 && !strncmp(arg, "--trace", len) && !inline_value) {
        o->trace = true;
        return 0;
    }
    /* Lets the Node CLI start a root helper; one that answers needs no leave. */
    if (len == 12 && !strncmp(arg, "--allow-root", len) && !inline_value)
        return 0;
    if (len == sizeof BIA_FLAG_SOCKET - 1 && !strncmp(arg, BIA_FLAG_SOCKET, len))
        return value_of(args, inline_value, &o->socket);
    if (len == sizeof BIA_FLAG_LOG_LEVEL - 1 && !strncmp(arg, BIA_FLAG_LOG_LEVEL, len))
        return value_of(args, inline_value, &o->log_level);
    return -1;
}

int runopts_parse(char **args, struct runopts *o)
{
    *o = (struct runopts){0};
    for (; *args; args++) {
        if (!strcmp(*args, "--")) {
            args++;
            break;
        }
        if ((*args)[0] != '-' || !strcmp(*args, "-"))
            break;
        if (option(&args, o))
            return -1;
    }
    if (!*args)
        return -1;
    o->command = args;
    return 0;
}
