/* The C test programs' one reporting convention: a line per case, then the
 * "N passed, N failed" line that test/unit/preload-hooks.test.ts reads. */
#ifndef BIA_TEST_CHECK_H
#define BIA_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    fflush(stdout);   /* before a fork or an exec, so nothing is printed twice */
    if (ok)
        passed++;
    else
        failed++;
}

/* The exit status of a test program. */
static int report(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#endif
