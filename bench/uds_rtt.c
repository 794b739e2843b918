/* uds_rtt: what one helper round trip costs, as the preload makes it: a new
 * Unix stream connection, one HELLO frame (docs/protocol.md), one reply
 * frame, close. Timed with CLOCK_MONOTONIC.
 *
 *   uds_rtt SOCKET N       N round trips; one JSON line of statistics
 *   uds_rtt --serve SOCKET a trivial single-threaded C server that echoes
 *                          each frame back: the floor any helper could reach
 *                          on this machine (two context switches and the
 *                          socket calls). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "timing.h"
#include <unistd.h>


static int read_frame(int fd, unsigned char *buf) {
  size_t have = 0, need = 4;
  while (have < need) {
    ssize_t n = read(fd, buf + have, need - have);
    if (n <= 0) return -1;
    have += n;
    if (have == 4 && need == 4) {
      need = 4 + ((size_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]);
      if (need > 4096) return -1;
    }
  }
  return (int)have;
}

int main(int argc, char **argv) {
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  unsigned char buf[4096];
  if (argc == 3 && !strcmp(argv[1], "--serve")) {
    snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[2]);
    unlink(a.sun_path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 128)) { perror("uds_rtt --serve"); return 1; }
    for (;;) {
      int c = accept(s, NULL, NULL);
      if (c < 0) continue;
      int n = read_frame(c, buf);
      if (n > 0 && write(c, buf, n) != n) perror("write");
      close(c);
    }
  }
  if (argc != 3) { fprintf(stderr, "usage: %s SOCKET N | --serve SOCKET\n", argv[0]); return 2; }
  snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
  int n = atoi(argv[2]);
  if (n < 1) n = 1;
  long long *t = calloc(n, sizeof *t);
  for (int i = 0; i < n; i++) {
    /* HELLO: length 8, version 1, type 1, status 0, id i+1 */
    unsigned char hello[12] = { 0, 0, 0, 8, 1, 1, 0, 0, 0, 0, (i + 1) >> 8 & 0xff, (i + 1) & 0xff };
    long long t0 = now_ns();
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    if (write(fd, hello, sizeof hello) != sizeof hello || read_frame(fd, buf) < 12) { fprintf(stderr, "no reply\n"); return 1; }
    close(fd);
    t[i] = now_ns() - t0;
  }
  qsort(t, n, sizeof *t, cmp_ns);
  printf("{\"n\":%d,\"min_ns\":%lld,\"p50_ns\":%lld,\"p99_ns\":%lld,\"max_ns\":%lld}\n", n, t[0], t[n / 2],
         t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], t[n - 1]);
  return 0;
}
