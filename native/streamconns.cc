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
#include <napi.h>
#include <uv.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kMaxFrame = 4096;  // docs/protocol.md: a whole frame
constexpr int kEpollBatch = 64;
constexpr int kPerWake = 1024;      // ready sockets served per wake-up: the loop's other work goes on
constexpr uint64_t kRetryAcceptMs = 100;
constexpr int kBacklog = 511;       // as deep as Node's own listen backlog

// Event kinds, as src/helper/stream-conns.ts reads them.
enum Kind { kOpen = 0, kData = 1, kBad = 2, kEnd = 3, kDrained = 4, kClosed = 5 };
// Why a connection closed.
enum Why { kDone = 0, kIdle = 1, kFrameLate = 2, kFailed = 3, kDestroyed = 4 };

struct Event {
  uint8_t kind;
  uint32_t id;
  int64_t a, b, c, d, e;
  std::string bytes;
};

struct Engine;

struct Conn {
  Engine *engine;
  uint32_t id;
  int fd;
  uv_timer_t idle, frame;
  int handles;
  uint64_t idle_ms;
  bool paused, eof, ending, discard, dead;
  std::string in;   // an incomplete frame's bytes
  std::string out;  // replies the kernel has not taken yet
};

struct Engine {
  uv_poll_t poll;    // the epoll set
  uv_timer_t later;  // delivers events made outside a wake-up
  uv_timer_t retry;  // watches the listener again after EMFILE
  int handles;
  int ep, listen_fd;
  uint32_t next_id;
  uint64_t idle_ms, frame_ms;
  bool closed;
  std::unordered_map<uint32_t, Conn *> conns;
  std::vector<Event> events;
  Napi::FunctionReference callback;
};

void Queue(Engine *g, uint8_t kind, uint32_t id, int64_t a = 0, int64_t b = 0, int64_t c = 0, int64_t d = 0, int64_t e = 0) {
  g->events.push_back(Event{kind, id, a, b, c, d, e, std::string()});
}

void OnLater(uv_timer_t *t);

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

void Touch(Conn *c);

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

Engine *Of(const Napi::CallbackInfo &info) { return static_cast<Engine *>(info.Data()); }

Conn *ConnOf(const Napi::CallbackInfo &info) {
  Engine *g = Of(info);
  if (g->closed || info.Length() < 1 || !info[0].IsNumber()) return nullptr;
  auto it = g->conns.find(info[0].As<Napi::Number>().Uint32Value());
  return it == g->conns.end() ? nullptr : it->second;
}

// write(id, [frames]) -> true when the kernel took them all now; false when
// some wait (a "drained" event follows) or the connection is gone.
Napi::Value Write(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Conn *c = ConnOf(info);
  if (!c || c->dead || info.Length() < 2 || !info[1].IsArray()) return Napi::Boolean::New(env, false);
  Napi::Array list = info[1].As<Napi::Array>();
  uint32_t count = list.Length();
  bool waited = !c->out.empty();
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value v = list.Get(i);
    if (!v.IsBuffer()) continue;
    Napi::Buffer<char> b = v.As<Napi::Buffer<char>>();
    c->out.append(b.Data(), b.Length());
  }
  if (!waited && !Flush(c)) {
    uv_timer_start(&c->engine->later, OnLater, 0, 0);
    return Napi::Boolean::New(env, false);
  }
  if (c->out.empty()) return Napi::Boolean::New(env, true);
  Watch(c);
  return Napi::Boolean::New(env, false);
}

// end(id): no more replies; the connection closes once they are out and the client is done.
Napi::Value End(const Napi::CallbackInfo &info) {
  if (Conn *c = ConnOf(info)) {
    c->ending = c->discard = true;
    Finish(c);
    uv_timer_start(&c->engine->later, OnLater, 0, 0);
  }
  return info.Env().Undefined();
}

Napi::Value Destroy(const Napi::CallbackInfo &info) {
  if (Conn *c = ConnOf(info)) {
    Close(c, kDestroyed, 0);
    uv_timer_start(&c->engine->later, OnLater, 0, 0);
  }
  return info.Env().Undefined();
}

Napi::Value SetPaused(const Napi::CallbackInfo &info, bool paused) {
  Conn *c = ConnOf(info);
  if (c && c->paused != paused) {
    c->paused = paused;
    Watch(c);
  }
  return info.Env().Undefined();
}

Napi::Value Pause(const Napi::CallbackInfo &info) { return SetPaused(info, true); }
Napi::Value Resume(const Napi::CallbackInfo &info) { return SetPaused(info, false); }

// timeout(id, ms): the connection closes after ms without a byte either way.
Napi::Value Timeout(const Napi::CallbackInfo &info) {
  Conn *c = ConnOf(info);
  if (c && info.Length() >= 2 && info[1].IsNumber()) {
    c->idle_ms = info[1].As<Napi::Number>().Int64Value();
    Touch(c);
  }
  return info.Env().Undefined();
}

void OnEngineClosed(uv_handle_t *h) {
  Engine *g = static_cast<Engine *>(h->data);
  if (--g->handles > 0) return;
  close(g->ep);
  delete g;
}

// close(): every connection closed at once (no events), and the listener.
Napi::Value CloseAll(const Napi::CallbackInfo &info) {
  Engine *g = Of(info);
  if (!g->closed) {
    g->closed = true;
    std::vector<Conn *> all;
    for (auto &kv : g->conns) all.push_back(kv.second);
    for (Conn *c : all) Close(c, kDestroyed, 0);
    g->events.clear();
    g->callback.Reset();
    close(g->listen_fd);
    uv_close(reinterpret_cast<uv_handle_t *>(&g->poll), OnEngineClosed);
    uv_close(reinterpret_cast<uv_handle_t *>(&g->later), OnEngineClosed);
    uv_close(reinterpret_cast<uv_handle_t *>(&g->retry), OnEngineClosed);
  }
  return info.Env().Undefined();
}

Napi::Value Fail(Napi::Env env, const char *what) {
  int err = errno;
  Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.ThrowAsJavaScriptException();
  return env.Null();
}

}  // namespace

// serveStream(listenFd, idleMs, frameMs, onEvents) -> { write, end,
// destroy, pause, resume, timeout, close }: accepts on listenFd (a
// listening Unix stream socket, now the addon's to close) and calls
// onEvents(flat array) with what happened: [kind, id, ...] per event, as
// stream-conns.ts reads them. Keeps the process alive until close().
Napi::Value ServeStream(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsFunction()) {
    Napi::TypeError::New(env, "serveStream(listenFd, idleMs, frameMs, onEvents)").ThrowAsJavaScriptException();
    return env.Null();
  }
  int listen_fd = info[0].As<Napi::Number>().Int32Value();
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return Fail(env, "epoll_create1");
  struct epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  // Listening again makes the kernel name this process as the listener in
  // every connection's SO_PEERCRED, which clients check (socket-trust.ts):
  // a socket systemd made would otherwise name systemd.
  int flags = fcntl(listen_fd, F_GETFL);
  if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) != 0 || listen(listen_fd, kBacklog) != 0 ||
      epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
    int err = errno;
    close(ep);
    errno = err;
    return Fail(env, "the listening socket");
  }
  uv_loop_t *loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  Engine *g = new Engine{};
  g->ep = ep;
  g->listen_fd = listen_fd;
  g->idle_ms = info[1].As<Napi::Number>().Int64Value();
  g->frame_ms = info[2].As<Napi::Number>().Int64Value();
  g->poll.data = g->later.data = g->retry.data = g;
  uv_poll_init(loop, &g->poll, ep);
  uv_timer_init(loop, &g->later);
  uv_timer_init(loop, &g->retry);
  uv_unref(reinterpret_cast<uv_handle_t *>(&g->later));
  uv_unref(reinterpret_cast<uv_handle_t *>(&g->retry));
  g->handles = 3;
  g->callback = Napi::Persistent(info[3].As<Napi::Function>());
  uv_poll_start(&g->poll, UV_READABLE, OnReady);
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("write", Napi::Function::New(env, Write, "write", g));
  handle.Set("end", Napi::Function::New(env, End, "end", g));
  handle.Set("destroy", Napi::Function::New(env, Destroy, "destroy", g));
  handle.Set("pause", Napi::Function::New(env, Pause, "pause", g));
  handle.Set("resume", Napi::Function::New(env, Resume, "resume", g));
  handle.Set("timeout", Napi::Function::New(env, Timeout, "timeout", g));
  handle.Set("close", Napi::Function::New(env, CloseAll, "close", g));
  return handle;
}
