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

#define CHILDENV_WHY_SIZE 200

/*
 * Whether BIA_POOL, BIA_SYNTH, BIA_SYNTH_PREFIX and BIA_PLANE_ID, where
 * set (`bia env` exports them), are what the helper's HELLO says: then the
 * environment built is the one the Node launcher would build. -1 with why
 * when one differs: the Node launcher checks it and says what is wrong.
 */
int childenv_check(const struct bia_hello *h, char why[CHILDENV_WHY_SIZE]);

/* A new NULL-terminated environment, or NULL when out of memory. */
char **childenv_build(const char *library, const struct settings *s, const struct bia_hello *h);

#endif
