/*
 * Time for the library's caches: monotonic seconds, so that expiry does
 * not jump with the wall clock, and never 0, which marks an empty slot.
 */
#ifndef BIA_CLOCK_H
#define BIA_CLOCK_H

#include <time.h>

static inline long long bia_clock_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1;
}

#endif
