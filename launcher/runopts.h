/*
 * bia run's command line as far as the fast path reads it: the options it
 * knows exactly (--socket, --log-level, --trace), then `--` or the first
 * word that is not an option, then the command. Anything else (another
 * option, a missing value, no command, --help) is for the Node launcher,
 * which knows every option and says what is wrong.
 */
#ifndef BIA_LAUNCHER_RUNOPTS_H
#define BIA_LAUNCHER_RUNOPTS_H

#include <stdbool.h>

struct runopts {
    const char *socket;      /* --socket, NULL when not given */
    const char *log_level;   /* --log-level, NULL when not given */
    bool trace;              /* --trace */
    char **command;          /* the program and its arguments, NULL-terminated */
};

/* Reads args (bia run's arguments, NULL-terminated); 0 when the fast path
 * understands all of them, -1 otherwise. */
int runopts_parse(char **args, struct runopts *o);

#endif
