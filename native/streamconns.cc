// The helper's stream connections, accepted, read and written in the addon
// (docs/protocol.md, "Transport"). A net.Socket per client made the garbage
// that set the helper's tail latency: a scavenge every ~120 connections,
// each a pause of milliseconds that the request behind it waited out
// (bench/shortfalls.md, "One helper round trip"). Here a client is a
// struct in C: one epoll set holds the listening socket and every client,
// the event loop watches that set (uv_poll), and each wake-up accepts and
// reads whatever is ready, cuts whole frames out of the bytes (their
// length checked as the protocol says), and hands everything to
// JavaScript in one call, a flat array of events. Replies come back as
// one write of a turn's frames per client; what the kernel does not take
// at once waits here until the socket is writable. The idle and the
// started-frame deadlines are timers in C.
#include "streamconns.h"
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace streamconns {

void Queue(Engine *g, uint8_t kind, uint32_t id, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e) {
  g->events.push_back(Event{kind, id, a, b, c, d, e, std::string()});
}

// What the connection wants to hear about: input unless paused or at its
// end, output while replies wait. A hung-up peer's EPOLLHUP is reported
// whatever was asked: edge-triggered while input is not read, so that it
// wakes the loop once, not on every turn.
void Watch(Conn *c) {
  struct epoll_event ev = {};
  bool reading = !c->paused && !c->eof;
  ev.events = (reading ? uint32_t(EPOLLIN) : uint32_t(EPOLLET)) | (c->out.empty() ? 0u : uint32_t(EPOLLOUT));
  ev.data.ptr = c;
  epoll_ctl(c->engine->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

void OnConnClosed(uv_handle_t *h) {
  Conn *c = static_cast<Conn *>(h->data);
  if (--c->handles == 0) delete c;
}

void Close(Conn *c, int why, int err) {
  if (c->dead) return;
  c->dead = true;
  Engine *g = c->engine;
  epoll_ctl(g->ep, EPOLL_CTL_DEL, c->fd, nullptr);
  close(c->fd);
  g->conns.erase(c->id);
  uv_close(reinterpret_cast<uv_handle_t *>(&c->idle), OnConnClosed);
  uv_close(reinterpret_cast<uv_handle_t *>(&c->frame), OnConnClosed);
  if (!g->closed) Queue(g, kClosed, c->id, why, err);
}

void OnIdle(uv_timer_t *t) {
  Conn *c = static_cast<Conn *>(t->data);
  Close(c, kIdle, 0);
  uv_timer_start(&c->engine->later, OnLater, 0, 0);
}

void OnFrameLate(uv_timer_t *t) {
  Conn *c = static_cast<Conn *>(t->data);
  Close(c, kFrameLate, 0);
  uv_timer_start(&c->engine->later, OnLater, 0, 0);
}

void Touch(Conn *c) {
  if (c->idle_ms > 0) uv_timer_start(&c->idle, OnIdle, c->idle_ms, 0);
}

// After end(): the write side is shut once every reply is out, and the
// connection closed once the client has shut its own.
void Finish(Conn *c) {
  if (!c->ending || !c->out.empty() || c->dead) return;
  shutdown(c->fd, SHUT_WR);
  if (c->eof) Close(c, kDone, 0);
}

// Writes what waits; false when the connection failed.
bool Flush(Conn *c) {
  while (!c->out.empty()) {
    ssize_t n = send(c->fd, c->out.data(), c->out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) {
      Close(c, kFailed, errno);
      return false;
    }
    c->out.erase(0, n);
  }
  Touch(c);
  return true;
}

// Cuts the whole frames out of DATA[0, LEN) (after what c->in holds) into
// one event; a length out of range is an event of its own, after which the
// connection's input is not read as frames any more.
void Frames(Conn *c, const char *data, size_t len) {
  Engine *g = c->engine;
  if (c->discard) return;  // after a bad length or end(), input is no request
  const char *buf = data;
  if (!c->in.empty()) {
    c->in.append(data, len);
    buf = c->in.data();
    len = c->in.size();
  }
  size_t at = 0;
  int64_t bad = -1;
  while (len - at >= 4) {
    const unsigned char *p = reinterpret_cast<const unsigned char *>(buf + at);
    size_t length = size_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
    if (length < 8 || length + 4 > kMaxFrame) {
      bad = int64_t(length);
      break;
    }
    if (len - at < length + 4) break;
    at += length + 4;
  }
  if (at > 0) {
    Queue(g, kData, c->id);
    g->events.back().bytes.assign(buf, at);
  }
  if (bad >= 0) {
    Queue(g, kBad, c->id, bad);
    c->in.clear();
    c->discard = true;
    uv_timer_stop(&c->frame);
    return;
  }
  std::string rest(buf + at, len - at);
  c->in.swap(rest);
  if (c->in.empty()) uv_timer_stop(&c->frame);
  else if (!uv_is_active(reinterpret_cast<uv_handle_t *>(&c->frame))) uv_timer_start(&c->frame, OnFrameLate, c->engine->frame_ms, 0);
}

void Readable(Conn *c) {
  static char buf[65536];
  ssize_t n;
  do n = read(c->fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) return;
  if (n < 0) return Close(c, kFailed, errno);
  if (n == 0) {
    c->eof = true;
    Watch(c);
    if (c->ending && c->out.empty()) return Close(c, kDone, 0);
    return Queue(c->engine, kEnd, c->id);
  }
  Touch(c);
  Frames(c, buf, n);
}

void Accept(Engine *g) {
  for (int i = 0; i < kEpollBatch; i++) {
    int fd = accept4(g->listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the listener is watched again a little later
        // instead of waking the loop for a connection it cannot take.
        epoll_ctl(g->ep, EPOLL_CTL_DEL, g->listen_fd, nullptr);
        uv_timer_start(&g->retry, [](uv_timer_t *t) {
          Engine *g = static_cast<Engine *>(t->data);
          struct epoll_event ev = {};
          ev.events = EPOLLIN;
          ev.data.ptr = nullptr;
          if (!g->closed) epoll_ctl(g->ep, EPOLL_CTL_ADD, g->listen_fd, &ev);
        }, kRetryAcceptMs, 0);
      }
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    struct ucred cred = {};
    socklen_t clen = sizeof cred;
    int err = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 ? 0 : errno;
    Conn *c = new Conn{};
    c->engine = g;
    c->fd = fd;
    if (++g->next_id == 0) g->next_id = 1;
    c->id = g->next_id;
    c->idle_ms = g->idle_ms;
    c->handles = 2;
    uv_timer_init(uv_handle_get_loop(reinterpret_cast<uv_handle_t *>(&g->poll)), &c->idle);
    uv_timer_init(uv_handle_get_loop(reinterpret_cast<uv_handle_t *>(&g->poll)), &c->frame);
    c->idle.data = c->frame.data = c;
    uv_unref(reinterpret_cast<uv_handle_t *>(&c->idle));
    uv_unref(reinterpret_cast<uv_handle_t *>(&c->frame));
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev);
    g->conns[c->id] = c;
    Touch(c);
    Queue(g, kOpen, c->id, fd, cred.pid, cred.uid, cred.gid, err);
  }
}

// Hands the events made so far to JavaScript, in one call.
void Deliver(Engine *g) {
  if (g->events.empty() || g->closed) return;
  Napi::Env env = g->callback.Env();
  Napi::HandleScope scope(env);
  std::vector<Event> events;
  events.swap(g->events);
  Napi::Array batch = Napi::Array::New(env);
  uint32_t n = 0;
  for (Event &ev : events) {
    batch.Set(n++, Napi::Number::New(env, ev.kind));
    batch.Set(n++, Napi::Number::New(env, ev.id));
    switch (ev.kind) {
      case kOpen:
        for (int64_t v : {ev.a, ev.b, ev.c, ev.d, ev.e}) batch.Set(n++, Napi::Number::New(env, double(v)));
        break;
      case kData:
        batch.Set(n++, Napi::Buffer<char>::Copy(env, ev.bytes.data(), ev.bytes.size()));
        break;
      case kBad:
        batch.Set(n++, Napi::Number::New(env, double(ev.a)));
        break;
      case kClosed:
        batch.Set(n++, Napi::Number::New(env, double(ev.a)));
        batch.Set(n++, Napi::Number::New(env, double(ev.b)));
        break;
    }
  }
  g->callback.MakeCallback(env.Global(), {batch});
}

void OnLater(uv_timer_t *t) { Deliver(static_cast<Engine *>(t->data)); }

void OnReady(uv_poll_t *p, int status, int) {
  Engine *g = static_cast<Engine *>(p->data);
  if (g->closed || status < 0) return;
  struct epoll_event evs[kEpollBatch];
  for (int served = 0; served < kPerWake;) {
    int n = epoll_wait(g->ep, evs, kEpollBatch, 0);
    if (n <= 0) break;
    served += n;
    for (int i = 0; i < n; i++) {
      Conn *c = static_cast<Conn *>(evs[i].data.ptr);
      if (!c) {
        Accept(g);
        continue;
      }
      if (c->dead) continue;  // closed earlier in this batch; freed once the loop closes its timers
      if (evs[i].events & EPOLLOUT) {
        if (!Flush(c)) continue;
        Watch(c);
        if (c->out.empty()) {
          Queue(g, kDrained, c->id);
          Finish(c);
        }
      }
      if (!c->dead && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->paused && !c->eof) Readable(c);
    }
    if (n < kEpollBatch) break;
  }
  Deliver(g);
}

}  // namespace streamconns
