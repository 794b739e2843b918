// Peer credentials of a connected Unix socket (SO_PEERCRED) and the peer's
// supplementary groups (SO_PEERGROUPS), which Node does not expose. The
// helper uses them to serve only the users it is meant to serve.
#include "errno_error.h"
#include <napi.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <cerrno>
#include <cstring>
#include <vector>

static bool ValidFd(const Napi::CallbackInfo &info, const char *usage) {
  if (info.Length() >= 1 && info[0].IsNumber()) return true;
  Napi::TypeError::New(info.Env(), usage).ThrowAsJavaScriptException();
  return false;
}

Napi::Value PeerCredentials(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!ValidFd(info, "peerCredentials(fd): fd must be a number")) return env.Null();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    FailErrno(env, "SO_PEERCRED");
    return env.Null();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  return out;
}

// The supplementary groups the peer had when it connected (Linux 4.13+).
// The kernel answers ERANGE with the size it needs when the buffer is short.
Napi::Value PeerGroups(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!ValidFd(info, "peerGroups(fd): fd must be a number")) return env.Null();
  int fd = info[0].As<Napi::Number>().Int32Value();
  std::vector<gid_t> groups(32);
  for (;;) {
    socklen_t len = groups.size() * sizeof(gid_t);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      break;
    }
    if (errno != ERANGE || len <= groups.size() * sizeof(gid_t)) {
      FailErrno(env, "SO_PEERGROUPS");
      return env.Null();
    }
    groups.resize(len / sizeof(gid_t));
  }
  Napi::Array out = Napi::Array::New(env, groups.size());
  for (size_t i = 0; i < groups.size(); i++) out.Set(i, Napi::Number::New(env, groups[i]));
  return out;
}
