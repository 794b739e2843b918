/* connect_bench: N connect()+close() cycles to one TCP peer, each connect()
 * timed with CLOCK_MONOTONIC. Prints one JSON line of statistics.
 *
 *   connect_bench -6 ADDR6 PORT N    AF_INET6 socket to an IPv6 literal (native)
 *   connect_bench -4 NAME PORT N     AF_INET socket to gethostbyname(NAME)
 *                                    (under bia: a pool address the process knows)
 *
 *   connect_bench -p NAME ADDR6 PORT N   N pairs, interleaved: an AF_INET
 *                                    connect as -4, then an AF_INET6 one as -6
 *                                    (under bia: translated, then passed
 *                                    through), in one process, so that both
 *                                    meet the same moment of a busy machine;
 *                                    "diff_p50_ns" is the median of the pairs'
 *                                    differences.
 *
 * "first_ns" is the first connect of the process (cold: under bia with an
 * IPv4 literal it costs one helper round trip); p50/p99 are over the others.
 * Only connect() is timed: socket() and close() are outside the window. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "timing.h"
#include <unistd.h>


/* One timed connect()+close() to a; -1 on failure. */
static long long timed_connect(const struct sockaddr *a, socklen_t len) {
  int fd = socket(a->sa_family, SOCK_STREAM, 0);
  if (fd < 0) { perror("socket"); return -1; }
  long long t0 = now_ns();
  int rc = connect(fd, a, len);
  long long t = now_ns() - t0;
  if (rc != 0) { fprintf(stderr, "connect: %s\n", strerror(errno)); close(fd); return -1; }
  close(fd);
  return t;
}

static int pairs(const char *name, const char *addr6, int port, int n) {
  struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };
  struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
  struct hostent *h = gethostbyname(name);
  if (!h || h->h_addrtype != AF_INET || inet_pton(AF_INET6, addr6, &s6.sin6_addr) != 1) {
    fprintf(stderr, "cannot resolve %s or parse %s\n", name, addr6);
    return 1;
  }
  memcpy(&s4.sin_addr, h->h_addr_list[0], 4);
  long long *t4 = calloc(n, sizeof *t4), *t6 = calloc(n, sizeof *t6), *d = calloc(n, sizeof *d);
  if (timed_connect((struct sockaddr *)&s4, sizeof s4) < 0) return 1;   /* the first, cold */
  for (int i = 0; i < n; i++) {
    t4[i] = timed_connect((struct sockaddr *)&s4, sizeof s4);
    t6[i] = timed_connect((struct sockaddr *)&s6, sizeof s6);
    if (t4[i] < 0 || t6[i] < 0) return 1;
    d[i] = t4[i] - t6[i];
  }
  qsort(t4, n, sizeof *t4, cmp_ns);
  qsort(t6, n, sizeof *t6, cmp_ns);
  qsort(d, n, sizeof *d, cmp_ns);
  printf("{\"n\":%d,\"p50_4_ns\":%lld,\"p50_6_ns\":%lld,\"diff_p50_ns\":%lld}\n", n, t4[n / 2], t6[n / 2], d[n / 2]);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 6 && !strcmp(argv[1], "-p")) return pairs(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]) > 0 ? atoi(argv[5]) : 1);
  if (argc != 5 || (strcmp(argv[1], "-6") && strcmp(argv[1], "-4"))) {
    fprintf(stderr, "usage: %s -6 ADDR6|-4 NAME PORT N\n", argv[0]);
    return 2;
  }
  int v6 = argv[1][1] == '6';
  int port = atoi(argv[3]);
  int n = atoi(argv[4]);
  if (n < 1) n = 1;
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  if (v6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    if (inet_pton(AF_INET6, argv[2], &s6->sin6_addr) != 1) { fprintf(stderr, "bad address %s\n", argv[2]); return 2; }
    len = sizeof *s6;
  } else {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    if (inet_pton(AF_INET, argv[2], &s4->sin_addr) != 1) {
      struct hostent *h = gethostbyname(argv[2]);
      if (!h || h->h_addrtype != AF_INET) { fprintf(stderr, "cannot resolve %s: %s\n", argv[2], hstrerror(h_errno)); return 1; }
      memcpy(&s4->sin_addr, h->h_addr_list[0], 4);
    }
    len = sizeof *s4;
  }
  long long *t = calloc(n, sizeof *t);
  for (int i = 0; i < n; i++) {
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    long long t0 = now_ns();
    int rc = connect(fd, (struct sockaddr *)&ss, len);
    t[i] = now_ns() - t0;
    if (rc != 0) { fprintf(stderr, "connect #%d: %s\n", i, strerror(errno)); return 1; }
    close(fd);
  }
  long long first = t[0];
  int m = n > 1 ? n - 1 : 1;
  long long *w = n > 1 ? t + 1 : t;
  qsort(w, m, sizeof *w, cmp_ns);
  char peer[64];
  if (v6) snprintf(peer, sizeof peer, "%s", argv[2]);
  else inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, peer, sizeof peer);
  printf("{\"n\":%d,\"peer\":\"%s\",\"first_ns\":%lld,\"min_ns\":%lld,\"p50_ns\":%lld,\"p99_ns\":%lld,\"max_ns\":%lld}\n", n, peer, first,
         w[0], w[m / 2], w[(m * 99) / 100 < m ? (m * 99) / 100 : m - 1], w[m - 1]);
  return 0;
}
