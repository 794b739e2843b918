// A listening Unix stream socket for the helper, made here rather than by
// Node: its connections are accepted in the addon (streamconns.cc), and a
// net.Server would accept them itself.
#include "errno_error.h"
#include <napi.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>

namespace {

// As deep as Node's own listen backlog.
constexpr int kBacklog = 511;

}  // namespace

// listenStream(path) -> fd: bound at path (which must not exist) and listening.
Napi::Value ListenStream(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "listenStream(path)").ThrowAsJavaScriptException();
    return env.Null();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  struct sockaddr_un sun = {};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path) {
    errno = ENAMETOOLONG;
    return FailErrno(env, path, -1);
  }
  memcpy(sun.sun_path, path.c_str(), path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return FailErrno(env, "socket", -1);
  if (bind(fd, reinterpret_cast<struct sockaddr *>(&sun), sizeof sun) != 0) return FailErrno(env, "bind " + path, fd);
  if (listen(fd, kBacklog) != 0) return FailErrno(env, "listen " + path, fd);
  return Napi::Number::New(env, fd);
}

// isListening(fd): a stream socket that listens (what systemd must pass).
Napi::Value IsListening(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : -1;
  int on = 0, type = 0;
  socklen_t len = sizeof on, tlen = sizeof type;
  bool ok = getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_STREAM;
  return Napi::Boolean::New(env, ok);
}
