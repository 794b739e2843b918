// What JavaScript calls on the helper's stream connections
// (src/helper/stream-conns.ts): serveStream starts serving a listening
// socket; its handle writes replies, ends, destroys, pauses and resumes
// connections, and closes it all. The event loop's side is streamconns.cc.
#include "errno_error.h"
#include "streamconns.h"
#include <sys/epoll.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

using namespace streamconns;

namespace {

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
  if (ep < 0) return FailErrno(env, "epoll_create1");
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
    return FailErrno(env, "the listening socket");
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
