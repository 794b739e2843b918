/* Shared by the C micro-benchmarks: a monotonic clock in nanoseconds and a
 * comparator for sorting samples before taking percentiles. */
#ifndef BIA_BENCH_TIMING_H
#define BIA_BENCH_TIMING_H

#include <time.h>

static inline long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int cmp_ns(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return x < y ? -1 : x > y;
}

#endif
