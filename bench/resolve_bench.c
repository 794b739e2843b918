/* resolve_bench: time getaddrinfo() with CLOCK_MONOTONIC.
 *
 *   resolve_bench 0|4|6 N PATTERN WARMUP_NAME
 *
 * Asks N times for PATTERN (with "%d" replaced by the iteration number, so
 * every name is new: cold; or one fixed name: warm), ai_family AF_INET (4:
 * the IPv4-only program under bia), AF_INET6 (6: the native program) or
 * AF_UNSPEC (0: the native program asking A and AAAA, as bia must).
 * WARMUP_NAME is asked once first, untimed, so that process start-up costs
 * (resolv.conf parsing, the first helper connection) stay out. Prints one
 * JSON line of statistics. */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "timing.h"


static int ask(int family, const char *name) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(name, "80", &hints, &res);
  if (rc == 0) freeaddrinfo(res);
  else fprintf(stderr, "getaddrinfo(%s): %s\n", name, gai_strerror(rc));
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s 0|4|6 N PATTERN WARMUP_NAME\n", argv[0]);
    return 2;
  }
  int family = atoi(argv[1]) == 6 ? AF_INET6 : atoi(argv[1]) == 0 ? AF_UNSPEC : AF_INET;
  int n = atoi(argv[2]);
  if (n < 1) n = 1;
  if (ask(family, argv[4]) != 0) return 1;
  long long *t = calloc(n, sizeof *t);
  char name[256];
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof name, argv[3], i);
    long long t0 = now_ns();
    int rc = ask(family, name);
    t[i] = now_ns() - t0;
    if (rc != 0) return 1;
  }
  qsort(t, n, sizeof *t, cmp_ns);
  printf("{\"n\":%d,\"min_ns\":%lld,\"p50_ns\":%lld,\"p99_ns\":%lld,\"max_ns\":%lld}\n", n, t[0], t[n / 2],
         t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], t[n - 1]);
  return 0;
}
