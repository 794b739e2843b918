// The helper's datagram socket for USE and RELEASE (docs/protocol.md,
// "Reports as datagrams"): a fresh process reports its first use without a
// stream connection, so the helper makes no Node object per process. The
// event loop watches the socket (uv_poll); each wake-up drains what is
// queued in batches of recvmmsg and hands the whole lot to JavaScript in one
// call. SO_PASSCRED makes the kernel attach the sender's pid, uid and gid to
// every datagram (SCM_CREDENTIALS, as of the send; a sender cannot claim
// another's unless it is root), so admission and the per-process accounting
// see what SO_PEERCRED shows them on a stream connection.
//
// A report is sent just before the program's connect, which then blocks
// for the peer's answer: a helper that ran its JavaScript at once would
// compete with that program for its CPU at the moment it is woken. So a
// datagram's wake-up only arms a timer (microseconds, in C), and the queue
// is drained kDrainDelayMs later, with whatever else came meanwhile.
#include "errno_error.h"
#include <napi.h>
#include <uv.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace {

constexpr int kBatch = 64;         // datagrams per recvmmsg
constexpr int kPerWake = 1024;     // at most this many per wake-up: the loop's other work goes on
constexpr size_t kMaxFrame = 4096; // docs/protocol.md: a whole frame
constexpr uint64_t kDrainDelayMs = 2;

struct Listener {
  uv_poll_t poll;
  uv_timer_t timer;
  int handles;                     // open libuv handles; freed when both are closed
  int fd;
  Napi::FunctionReference callback;
  bool closed;
  char frames[kBatch][kMaxFrame + 1];  // one more byte: a longer datagram is cut (MSG_TRUNC)
  char control[kBatch][CMSG_SPACE(sizeof(struct ucred))];
};

// The credentials the kernel attached, or false when there are none.
bool CredentialsOf(struct msghdr *msg, struct ucred *out) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
      memcpy(out, CMSG_DATA(c), sizeof *out);
      return true;
    }
  return false;
}

// Reads up to kBatch datagrams into l's buffers and appends the good ones
// to batch as [pid, uid, gid, frame]; returns how many were read (0: none left).
int ReadSome(Listener *l, Napi::Env env, Napi::Array batch) {
  struct mmsghdr msgs[kBatch];
  struct iovec iov[kBatch];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < kBatch; i++) {
    iov[i] = {l->frames[i], sizeof l->frames[i]};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_control = l->control[i];
    msgs[i].msg_hdr.msg_controllen = sizeof l->control[i];
  }
  int n;
  do n = recvmmsg(l->fd, msgs, kBatch, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, nullptr);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return 0;
  for (int i = 0; i < n; i++) {
    struct ucred cred;
    // A cut datagram or one without credentials is no report: dropped.
    if ((msgs[i].msg_hdr.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || msgs[i].msg_len > kMaxFrame ||
        !CredentialsOf(&msgs[i].msg_hdr, &cred))
      continue;
    Napi::Array item = Napi::Array::New(env, 4);
    item.Set(0u, Napi::Number::New(env, cred.pid));
    item.Set(1u, Napi::Number::New(env, cred.uid));
    item.Set(2u, Napi::Number::New(env, cred.gid));
    item.Set(3u, Napi::Buffer<char>::Copy(env, l->frames[i], msgs[i].msg_len));
    batch.Set(batch.Length(), item);
  }
  return n;
}

void OnReadable(uv_poll_t *handle, int status, int);

// The drain: everything queued (up to kPerWake), in one call; then the
// socket is watched again (what is left wakes it at once).
void DrainNow(Listener *l) {
  Napi::Env env = l->callback.Env();
  Napi::HandleScope scope(env);
  Napi::Array batch = Napi::Array::New(env);
  uv_timer_stop(&l->timer);
  for (int got = 0, n; got < kPerWake && (n = ReadSome(l, env, batch)) > 0; got += n) {
  }
  uv_poll_start(&l->poll, UV_READABLE, OnReadable);
  if (batch.Length() > 0) l->callback.MakeCallback(env.Global(), {batch});
}

void OnTimer(uv_timer_t *handle) {
  Listener *l = static_cast<Listener *>(handle->data);
  if (!l->closed) DrainNow(l);
}

// drain(): what is queued, now, before the helper decides something the
// reports may change (a full pool reclaiming an idle address).
Napi::Value Drain(const Napi::CallbackInfo &info) {
  Listener *l = static_cast<Listener *>(info.Data());
  if (!l->closed) DrainNow(l);
  return info.Env().Undefined();
}

void OnReadable(uv_poll_t *handle, int status, int) {
  Listener *l = static_cast<Listener *>(handle->data);
  if (l->closed || status < 0) return;
  uv_poll_stop(&l->poll);
  uv_timer_start(&l->timer, OnTimer, kDrainDelayMs, 0);
}

void OnClosed(uv_handle_t *handle) {
  Listener *l = static_cast<Listener *>(handle->data);
  if (--l->handles > 0) return;
  close(l->fd);
  delete l;
}

Napi::Value Close(const Napi::CallbackInfo &info) {
  Listener *l = static_cast<Listener *>(info.Data());
  if (!l->closed) {
    l->closed = true;
    l->callback.Reset();
    uv_poll_stop(&l->poll);
    uv_timer_stop(&l->timer);
    uv_close(reinterpret_cast<uv_handle_t *>(&l->poll), OnClosed);
    uv_close(reinterpret_cast<uv_handle_t *>(&l->timer), OnClosed);
  }
  return info.Env().Undefined();
}

}  // namespace

// listenUses(path, mode, onReports) -> { close(), drain() }: binds a datagram socket
// at path (which must not exist), mode as given, and calls
// onReports([[pid, uid, gid, frame], ...]) with what arrived. Does not keep
// the process alive.
Napi::Value ListenUses(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsFunction()) {
    Napi::TypeError::New(env, "listenUses(path, mode, onReports)").ThrowAsJavaScriptException();
    return env.Null();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path) {
    errno = ENAMETOOLONG;
    return FailErrno(env, path, -1);
  }
  memcpy(sun.sun_path, path.c_str(), path.size());
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return FailErrno(env, "socket", -1);
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) return FailErrno(env, "SO_PASSCRED", fd);
  if (bind(fd, reinterpret_cast<struct sockaddr *>(&sun), sizeof sun) != 0) return FailErrno(env, "bind " + path, fd);
  if (chmod(path.c_str(), info[1].As<Napi::Number>().Uint32Value()) != 0) {
    int err = errno;
    unlink(path.c_str());
    errno = err;
    return FailErrno(env, "chmod " + path, fd);
  }
  uv_loop_t *loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return FailErrno(env, "event loop", fd);
  Listener *l = new Listener{};
  l->fd = fd;
  l->poll.data = l;
  l->timer.data = l;
  if (uv_poll_init(loop, &l->poll, fd) != 0) {
    delete l;
    errno = EINVAL;
    return FailErrno(env, "uv_poll_init", fd);
  }
  uv_timer_init(loop, &l->timer);
  l->handles = 2;
  l->callback = Napi::Persistent(info[2].As<Napi::Function>());
  uv_poll_start(&l->poll, UV_READABLE, OnReadable);
  uv_unref(reinterpret_cast<uv_handle_t *>(&l->poll));
  uv_unref(reinterpret_cast<uv_handle_t *>(&l->timer));
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("close", Napi::Function::New(env, Close, "close", l));
  handle.Set("drain", Napi::Function::New(env, Drain, "drain", l));
  return handle;
}
