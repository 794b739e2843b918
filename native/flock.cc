// An exclusive flock(2) on a file, which Node cannot take: the helper locks
// its state directory so that two helpers never write the same mappings.
// The kernel drops the lock when the process dies, kill -9 included, so a
// crashed helper never leaves a stale lock behind.
#include "errno_error.h"
#include <napi.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

static Napi::Value Throw(Napi::Env env, const std::string &what, int err) {
  Napi::Error e = ErrnoError(env, what, err);
  e.Set("code", Napi::String::New(env, err == EWOULDBLOCK ? "EWOULDBLOCK" : "ELOCK"));
  e.ThrowAsJavaScriptException();
  return env.Null();
}

// lockFile(path): the descriptor of PATH (created 0600), locked; throws with
// code EWOULDBLOCK when another process holds the lock. Closing the
// descriptor releases it.
Napi::Value LockFile(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "lockFile(path): path must be a string").ThrowAsJavaScriptException();
    return env.Null();
  }
  std::string path = info[0].As<Napi::String>();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Throw(env, "open " + path, errno);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    return Throw(env, "flock " + path, err);
  }
  return Napi::Number::New(env, fd);
}
