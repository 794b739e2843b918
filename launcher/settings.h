/*
 * The settings bia run would use, worked out the way src/config/effective.ts
 * does (flag > BIA_* variable > config file > default) for the two the fast
 * path reads: the helper's socket and the preload's log level. It declines
 * (returns -1) whenever the Node launcher would have more to interpret:
 * a config file, a BIA_* setting other than these two (or
 * BIA_PRELOAD_LIBRARY) and the four a helper's HELLO decides
 * (childenv_check()), an invalid value (Node says why), or a path Node
 * would normalise.
 */
#ifndef BIA_LAUNCHER_SETTINGS_H
#define BIA_LAUNCHER_SETTINGS_H

#include "bia_contract.h"
#include "runopts.h"

#include <stddef.h>

struct settings {
    char socket[BIA_MAX_SOCKET_PATH + 1];
    const char *log_level;   /* NULL: unset, the preload's own default */
};

#define SETTINGS_WHY_SIZE 200

/* 0 with s filled, or -1 with why saying what needs the Node launcher. */
int settings_resolve(const struct runopts *o, struct settings *s, char why[SETTINGS_WHY_SIZE]);

/* Whether the log level in force (NULL: none) shows debug lines. */
int settings_debug(const char *log_level);

#endif
