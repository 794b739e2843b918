/* resolve_bench: time getaddrinfo() with CLOCK_MONOTONIC.
 *
 *   resolve_bench 0|4|6 N PATTERN WARMUP_NAME
 *
 * Asks N times for PATTERN (with "%d" replaced by the iteration number, so
 * every name is new: cold; or one fixed name: warm), ai_family AF_INET (4:
 * the IPv4-only program under bia), AF_INET6 (6: the native program) or
 * AF_UNSPEC (0: the native program asking A and AAAA, as bia must).
 * p: the path bench/shortfalls.md plans for a cold name, without the
 * preload: glibc's own getaddrinfo(AF_UNSPEC), then one MAP6 per IPv6
 * answer on a connection to the helper ($BIA_SOCKET) kept open across
 * names, as the preload keeps its own.
 * WARMUP_NAME is asked once first, untimed, so that process start-up costs
 * (resolv.conf parsing, the first helper connection) stay out. Prints one
 * JSON line of statistics. */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "timing.h"

static int helper = -1;

/* One MAP6 frame (docs/protocol.md) and its reply; 0 when the status is OK. */
static int map6(const struct in6_addr *v6) {
  static unsigned id;
  unsigned char f[28] = {0, 0, 0, 24, 1, 4, 0, 0}, r[4096];
  size_t have = 0, need = 4;
  id++;
  f[8] = id >> 24; f[9] = id >> 16; f[10] = id >> 8; f[11] = id;
  memcpy(f + 12, v6, 16);
  if (write(helper, f, sizeof f) != sizeof f) return -1;
  while (have < need) {
    ssize_t n = read(helper, r + have, need - have);
    if (n <= 0) return -1;
    have += n;
    if (have == 4 && need == 4) need = 4 + ((size_t)r[0] << 24 | r[1] << 16 | r[2] << 8 | r[3]);
    if (need > sizeof r) return -1;
  }
  return r[6] << 8 | r[7];
}

static int connect_helper(void) {
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  const char *path = getenv("BIA_SOCKET");
  if (!path) return -1;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
  helper = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  return connect(helper, (struct sockaddr *)&a, sizeof a);
}

static int map_answers(const struct addrinfo *res) {
  for (; res; res = res->ai_next)
    if (res->ai_family == AF_INET6 && map6(&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr)) {
      fprintf(stderr, "MAP6 failed\n");
      return -1;
    }
  return 0;
}


static int ask(int family, const char *name) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(name, "80", &hints, &res);
  if (rc == 0 && helper >= 0 && map_answers(res)) rc = EAI_FAIL;
  if (rc == 0) freeaddrinfo(res);
  else fprintf(stderr, "getaddrinfo(%s): %s\n", name, gai_strerror(rc));
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s 0|4|6|p N PATTERN WARMUP_NAME\n", argv[0]);
    return 2;
  }
  int plan = !strcmp(argv[1], "p");
  int family = atoi(argv[1]) == 6 ? AF_INET6 : atoi(argv[1]) == 0 || plan ? AF_UNSPEC : AF_INET;
  if (plan && connect_helper()) {
    perror("resolve_bench p: the helper ($BIA_SOCKET)");
    return 1;
  }
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
