// What the two halves of the helper's stream connections share:
// streamconns.cc (the event loop's side: accept, read, frame, write) and
// streamconns_js.cc (what JavaScript calls). See streamconns.cc.
#ifndef BIA_NATIVE_STREAMCONNS_H
#define BIA_NATIVE_STREAMCONNS_H

#include <napi.h>
#include <uv.h>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace streamconns {

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

// The event loop's side (streamconns.cc).
void Queue(Engine *g, uint8_t kind, uint32_t id, int64_t a = 0, int64_t b = 0, int64_t c = 0, int64_t d = 0, int64_t e = 0);
void Watch(Conn *c);
void Close(Conn *c, int why, int err);
void Touch(Conn *c);
void Finish(Conn *c);
bool Flush(Conn *c);
void OnLater(uv_timer_t *t);
void OnReady(uv_poll_t *p, int status, int events);

}  // namespace streamconns

#endif
