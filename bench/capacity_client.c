/* capacity_client: the helper's request rate from 8 clients, driven by a
 * client that costs next to nothing, so that the figure is the helper's.
 * (bench/capacity.mjs's one Node process spent 23-34 us of CPU per
 * lockstep request on the same 2 cores: no helper could be seen above
 * ~40,000/s through it.)
 *
 *   capacity_client SOCKET SECONDS [PID]
 *
 * 8 connections, one thread, epoll: each connection in lockstep (one
 * request in flight, as the preload does), then with 32 pipelined. Phases:
 * MAP6 of distinct IPv6 addresses (every request allocates a pool address),
 * RESOLVE of distinct IPv6 literals, MAP6 pipelined, and MAP6 of 1,000
 * addresses already mapped. Each phase is preceded by a pipelined warm-up
 * (the helper's JIT). One JSON line per phase, as capacity.mjs printed:
 * with PID, the helper's CPU time per request (from /proc/PID/stat), and
 * always the client's own (getrusage), which shows whether the client was
 * the bound. Any reply but OK is an error (exit 1). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "timing.h"

#define CLIENTS 8
#define MAX_DEPTH 32
#define FRAME_MAX 4096

enum { MSG_RESOLVE = 2, MSG_MAP6 = 4 };

struct client {
  int fd;
  int in_flight;
  size_t have;
  unsigned char in[FRAME_MAX * MAX_DEPTH];
};

typedef size_t (*make_fn)(unsigned char *out, uint32_t id);

static struct client clients[CLIENTS];
static uint64_t next_addr = 1;
static uint32_t next_id = 1;

static void put32(unsigned char *p, uint32_t v) {
  p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static size_t header(unsigned char *out, int type, uint32_t id, size_t body) {
  put32(out, 8 + body);
  out[4] = 1, out[5] = type, out[6] = 0, out[7] = 0;
  put32(out + 8, id);
  return 12 + body;
}

/* 2001:db8:(100+hi)::(n>>16):(n&ffff), as capacity.mjs numbered them. */
static void v6_of(uint64_t n, unsigned char *v6) {
  memset(v6, 0, 16);
  v6[0] = 0x20, v6[1] = 0x01, v6[2] = 0x0d, v6[3] = 0xb8;
  uint32_t hi = 0x100 + (uint32_t)(n >> 32);
  v6[4] = hi >> 8, v6[5] = hi;
  v6[12] = n >> 24, v6[13] = n >> 16, v6[14] = n >> 8, v6[15] = n;
}

static size_t make_map6(unsigned char *out, uint32_t id) {
  v6_of(next_addr++, out + 12);
  return header(out, MSG_MAP6, id, 16);
}

/* A peer the helper already maps: 1,000 of them, in turn. */
static size_t make_known(unsigned char *out, uint32_t id) {
  v6_of(id % 1000, out + 12);
  return header(out, MSG_MAP6, id, 16);
}

static size_t make_resolve(unsigned char *out, uint32_t id) {
  uint64_t n = next_addr++;
  int len = snprintf((char *)out + 14, 64, "2001:db8:%x::%x:%x", 0x100 + (unsigned)(n >> 32), (unsigned)(n >> 16 & 0xffff), (unsigned)(n & 0xffff));
  out[12] = 4, out[13] = len;
  return header(out, MSG_RESOLVE, id, 2 + len);
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

/* Sends COUNT new requests on C in one write. */
static void send_some(struct client *c, make_fn make, int count) {
  unsigned char out[128 * MAX_DEPTH];
  size_t len = 0;
  for (int i = 0; i < count; i++) len += make(out + len, next_id++);
  for (size_t off = 0; off < len;) {
    ssize_t n = write(c->fd, out + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("write");
    off += n;
  }
  c->in_flight += count;
}

/* Reads what C's connection has and returns how many whole replies it held. */
static int take_replies(struct client *c) {
  ssize_t n;
  do n = read(c->fd, c->in + c->have, sizeof c->in - c->have);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return 0;
  if (n <= 0) {
    fprintf(stderr, "capacity_client: the helper closed a connection\n");
    exit(1);
  }
  c->have += n;
  int replies = 0;
  size_t at = 0;
  while (c->have - at >= 12) {
    const unsigned char *f = c->in + at;
    size_t len = 4 + ((size_t)f[0] << 24 | f[1] << 16 | f[2] << 8 | f[3]);
    if (len > FRAME_MAX) {
      fprintf(stderr, "capacity_client: a reply of %zu bytes\n", len);
      exit(1);
    }
    if (c->have - at < len) break;
    unsigned status = f[6] << 8 | f[7];
    if (status != 0) {
      fprintf(stderr, "capacity_client: the helper answered status %u\n", status);
      exit(1);
    }
    replies++;
    at += len;
  }
  memmove(c->in, c->in + at, c->have - at);
  c->have -= at;
  c->in_flight -= replies;
  return replies;
}

/* Every client keeps DEPTH requests in flight for SECONDS; then the
 * replies still due are read. Returns the requests answered. */
static long drive(int ep, make_fn make, int depth, double seconds, double *elapsed) {
  long done = 0;
  long long t0 = now_ns(), deadline = t0 + (long long)(seconds * 1e9);
  for (int i = 0; i < CLIENTS; i++) send_some(&clients[i], make, depth);
  int open = CLIENTS;
  while (open > 0) {
    struct epoll_event ev[CLIENTS];
    int n = epoll_wait(ep, ev, CLIENTS, 1000);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("epoll_wait");
    if (n == 0) {
      fprintf(stderr, "capacity_client: no reply for 1 s\n");
      exit(1);
    }
    int late = now_ns() >= deadline;
    for (int i = 0; i < n; i++) {
      struct client *c = ev[i].data.ptr;
      int got = take_replies(c);
      if (!got) continue;
      done += got;
      if (!late) send_some(c, make, got);
      else if (c->in_flight == 0) open--;
    }
  }
  *elapsed = (now_ns() - t0) / 1e9;
  return done;
}

/* utime + stime of PID, in microseconds (fields 14 and 15 of /proc/PID/stat). */
static double cpu_us_of(int pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f || !fgets(buf, sizeof buf, f)) die(path);
  fclose(f);
  char *p = strrchr(buf, ')');
  unsigned long long ut = 0, st = 0;
  /* after ") ": state, then fields 4..13, then utime and stime */
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) die("parse /proc/PID/stat");
  return (double)(ut + st) * 1e6 / sysconf(_SC_CLK_TCK);
}

static double own_cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s SOCKET SECONDS [PID]\n", argv[0]);
    return 2;
  }
  double seconds = atof(argv[2]);
  int pid = argc > 3 ? atoi(argv[3]) : 0;
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  for (int i = 0; i < CLIENTS; i++) {
    struct client *c = &clients[i];
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a)) die(argv[1]);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev)) die("epoll_ctl");
  }
  static const struct { const char *name; make_fn make; int depth; } phases[] = {
    { "map6", make_map6, 1 },
    { "resolve_literal", make_resolve, 1 },
    { "map6_pipelined", make_map6, MAX_DEPTH },
    { "map6_known", make_known, 1 },
  };
  for (size_t p = 0; p < sizeof phases / sizeof *phases; p++) {
    double elapsed;
    drive(ep, phases[p].make, MAX_DEPTH, seconds / 4 < 0.5 ? seconds / 4 : 0.5, &elapsed);
    double helper0 = pid ? cpu_us_of(pid) : 0, own0 = own_cpu_us();
    long done = drive(ep, phases[p].make, phases[p].depth, seconds, &elapsed);
    double helper = pid ? (cpu_us_of(pid) - helper0) / done : 0, own = (own_cpu_us() - own0) / done;
    printf("{\"phase\":\"%s\",\"clients\":%d,\"depth\":%d,\"per_second\":%.0f", phases[p].name, CLIENTS, phases[p].depth, done / elapsed);
    if (pid) printf(",\"cpu_us_per_request\":%.1f", helper);
    printf(",\"client_cpu_us_per_request\":%.1f}\n", own);
    fflush(stdout);
  }
  return 0;
}
