// How the addon's functions fail on a system call: a JavaScript Error whose
// message says what failed and why, with the errno on it as Node's own
// system errors carry theirs.
#pragma once

#include <napi.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

// The error for what, failed with err (not thrown: a caller may add to it).
inline Napi::Error ErrnoError(Napi::Env env, const std::string &what, int err) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

// Throws errno's error for what, closing fd first if it is one; returns
// null, for the caller to return.
inline Napi::Value FailErrno(Napi::Env env, const std::string &what, int fd = -1) {
  int err = errno;
  if (fd >= 0) close(fd);
  ErrnoError(env, what, err).ThrowAsJavaScriptException();
  return env.Null();
}
