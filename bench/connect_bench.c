/* connect_bench: N connect()+close() cycles to one TCP peer, each connect()
 * timed with CLOCK_MONOTONIC. Prints one JSON line of statistics.
 *
 *   connect_bench -6 ADDR6 PORT N    AF_INET6 socket to an IPv6 literal (native)
 *   connect_bench -4 NAME PORT N     AF_INET socket to gethostbyname(NAME)
 *                                    (under bia: a pool address the process knows)
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


int main(int argc, char **argv) {
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
