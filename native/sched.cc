// SCHED_BATCH for the helper's thread, which Node cannot set. A helper woken
// by a program's fire-and-forget message (a new connection, USE, RELEASE)
// would otherwise preempt that program on its own CPU, in the middle of the
// connect() that sent it: bench/shortfalls.md measured the first connect of
// fresh processes at p90 about 1 ms against 0.27 ms with the helper on
// SCHED_BATCH, whose wake-ups never preempt. A program waiting for a reply
// is asleep, so the helper still runs at once for round trips. Switching to
// it needs no privilege.
#include <napi.h>
#include <sched.h>
#include <cerrno>

// batchScheduling(): 0, or the errno of sched_setscheduler.
Napi::Value BatchScheduling(const Napi::CallbackInfo &info) {
  struct sched_param param = {};
  param.sched_priority = 0;
  int rc = sched_setscheduler(0, SCHED_BATCH, &param);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : errno);
}
