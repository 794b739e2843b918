/* rw_bench N: N write()+read() pairs of one byte through a pipe, timed
 * as a whole; prints one JSON line (ns per pair). Built statically, it
 * shows what the supervisor's filter costs system calls it lets through
 * (read and write are never trapped). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "timing.h"

int main(int argc, char **argv)
{
  int p[2];
  long n = argc == 2 ? atol(argv[1]) : 0;
  char c = 'x';
  long long t0;

  if (n < 1 || pipe(p)) { fprintf(stderr, "usage: %s N\n", argv[0]); return 2; }
  t0 = now_ns();
  for (long i = 0; i < n; i++)
    if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1) { perror("rw_bench"); return 1; }
  printf("{\"n\":%ld,\"pair_ns\":%.1f}\n", n, (double)(now_ns() - t0) / (double)n);
  return 0;
}
