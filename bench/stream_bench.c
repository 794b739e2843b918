/* stream_bench: bulk TCP throughput from a program that can be built
 * statically (iperf3 is dynamic: the preload, not the supervisor, would
 * translate it), for the supervised path's throughput.
 *
 *   stream_bench -s PORT              server on [::]:PORT: reads each
 *                                     connection to its end, then closes it
 *   stream_bench -6|-4 ADDR PORT SECS client: sends 128 KiB writes for SECS
 *                                     seconds, half-closes, waits for the
 *                                     server's close; prints one JSON line
 *
 * The time runs to the server's close, so every byte counted was read. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "timing.h"

#define CHUNK (128 * 1024)

static void *drain(void *arg)
{
  static char buf[CHUNK];
  int c = (int)(long)arg;
  while (read(c, buf, sizeof buf) > 0)
    ;
  close(c);
  return NULL;
}

static int serve(int port)
{
  int fd = socket(AF_INET6, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT };
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 64)) { perror("stream_bench"); return 1; }
  for (;;) {
    pthread_t t;
    int c = accept(fd, NULL, NULL);
    if (c >= 0 && pthread_create(&t, NULL, drain, (void *)(long)c) == 0)
      pthread_detach(t);
  }
}

int main(int argc, char **argv)
{
  static char buf[CHUNK];
  struct sockaddr_storage ss = {0};
  socklen_t len;
  int v6, fd;
  long long bytes = 0, t0, end;

  if (argc == 3 && !strcmp(argv[1], "-s"))
    return serve(atoi(argv[2]));
  if (argc != 5 || (strcmp(argv[1], "-6") && strcmp(argv[1], "-4"))) {
    fprintf(stderr, "usage: %s -s PORT | -6|-4 ADDR PORT SECS\n", argv[0]);
    return 2;
  }
  v6 = argv[1][1] == '6';
  if (v6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(atoi(argv[3]));
    len = inet_pton(AF_INET6, argv[2], &s6->sin6_addr) == 1 ? sizeof *s6 : 0;
  } else {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(atoi(argv[3]));
    len = inet_pton(AF_INET, argv[2], &s4->sin_addr) == 1 ? sizeof *s4 : 0;
  }
  if (!len) { fprintf(stderr, "bad address %s\n", argv[2]); return 2; }
  fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) { perror("connect"); return 1; }
  t0 = now_ns();
  end = t0 + (long long)(atof(argv[4]) * 1e9);
  while (now_ns() < end) {
    ssize_t n = write(fd, buf, sizeof buf);
    if (n <= 0) { perror("write"); return 1; }
    bytes += n;
  }
  shutdown(fd, SHUT_WR);
  while (read(fd, buf, sizeof buf) > 0)
    ;
  printf("{\"bytes\":%lld,\"bps\":%.0f}\n", bytes, bytes * 8e9 / (double)(now_ns() - t0));
  return 0;
}
