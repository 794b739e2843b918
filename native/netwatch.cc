// Tells the helper when the host's addresses or routes change (roaming: a
// new Wi-Fi, a VPN, IPv4 lost), which Node cannot: it has no netlink socket.
// A NETLINK_ROUTE socket subscribed to the address and route groups, watched
// by the event loop (uv_poll), costs nothing while nothing changes. The
// messages are not parsed: the helper re-reads /proc, which it understands
// already, so a message only says "look again". An overflow of the socket's
// buffer (ENOBUFS) means the same.
#include "errno_error.h"
#include <napi.h>
#include <uv.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace {

struct Watch {
  uv_poll_t poll;
  int fd;
  Napi::FunctionReference callback;
  bool closed;
};

// Reads everything queued; true when something was there.
bool Drain(int fd) {
  char buf[8192];
  bool any = false;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0 || (n < 0 && errno == ENOBUFS)) {
      any = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return any;
  }
}

void OnReadable(uv_poll_t *handle, int status, int) {
  Watch *w = static_cast<Watch *>(handle->data);
  if (w->closed) return;
  // A failing socket is given up (the helper falls back to polling); told once.
  if (status < 0) uv_poll_stop(handle);
  else if (!Drain(w->fd)) return;
  Napi::Env env = w->callback.Env();
  Napi::HandleScope scope(env);
  if (status < 0) {
    w->callback.MakeCallback(env.Global(), {Napi::Error::New(env, std::string("netlink: ") + uv_strerror(status)).Value()});
  } else {
    w->callback.MakeCallback(env.Global(), {});
  }
}

void OnClosed(uv_handle_t *handle) {
  Watch *w = static_cast<Watch *>(handle->data);
  close(w->fd);
  delete w;
}

Napi::Value Close(const Napi::CallbackInfo &info) {
  Watch *w = static_cast<Watch *>(info.Data());
  if (!w->closed) {
    w->closed = true;
    w->callback.Reset();
    uv_poll_stop(&w->poll);
    uv_close(reinterpret_cast<uv_handle_t *>(&w->poll), OnClosed);
  }
  return info.Env().Undefined();
}

}  // namespace

// watchNetwork(onChange) -> { close() }. Does not keep the process alive.
// onChange is called with no argument after changes, with an Error when
// the socket failed and no more calls will come.
Napi::Value WatchNetwork(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) {
    Napi::TypeError::New(env, "watchNetwork(onChange): onChange must be a function").ThrowAsJavaScriptException();
    return env.Null();
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) return FailErrno(env, "netlink socket", -1);
  struct sockaddr_nl addr;
  memset(&addr, 0, sizeof addr);
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (bind(fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) != 0) return FailErrno(env, "netlink bind", fd);
  uv_loop_t *loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return FailErrno(env, "event loop", fd);
  Watch *w = new Watch{};
  w->fd = fd;
  w->poll.data = w;
  if (uv_poll_init(loop, &w->poll, fd) != 0) {
    delete w;
    errno = EINVAL;
    return FailErrno(env, "uv_poll_init", fd);
  }
  w->callback = Napi::Persistent(info[0].As<Napi::Function>());
  uv_poll_start(&w->poll, UV_READABLE, OnReadable);
  uv_unref(reinterpret_cast<uv_handle_t *>(&w->poll));
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("close", Napi::Function::New(env, Close, "close", w));
  return handle;
}
