/*
 * The environment the program gets: this one, with the preload library at
 * the front of LD_PRELOAD and the BIA_* variables the preload reads, as
 * preloadVariables() in src/cli/preload-env.ts makes them for the settings
 * the fast path handles (test/e2e/fast-launcher.test.ts holds the two to
 * the same result).
 */
#ifndef BIA_LAUNCHER_CHILDENV_H
#define BIA_LAUNCHER_CHILDENV_H

#include "bia_protocol.h"
#include "settings.h"

/* A new NULL-terminated environment, or NULL when out of memory. */
char **childenv_build(const char *library, const struct settings *s, const struct bia_hello *h);

#endif
