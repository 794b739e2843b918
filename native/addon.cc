// The addon's entry point: what Node cannot do by itself (bia_native).
#include <napi.h>

Napi::Value PeerCredentials(const Napi::CallbackInfo &info);  // peercred.cc
Napi::Value PeerGroups(const Napi::CallbackInfo &info);       // peercred.cc
Napi::Value WatchNetwork(const Napi::CallbackInfo &info);     // netwatch.cc
Napi::Value LockFile(const Napi::CallbackInfo &info);         // flock.cc
Napi::Function MapTableClass(Napi::Env env);                  // maptable.cc
Napi::Value BatchScheduling(const Napi::CallbackInfo &info);  // sched.cc
Napi::Value ListenUses(const Napi::CallbackInfo &info);       // usesock.cc
Napi::Value ServeStream(const Napi::CallbackInfo &info);      // streamconns.cc
Napi::Value ListenStream(const Napi::CallbackInfo &info);     // unixlisten.cc
Napi::Value IsListening(const Napi::CallbackInfo &info);      // unixlisten.cc

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials));
  exports.Set("peerGroups", Napi::Function::New(env, PeerGroups));
  exports.Set("watchNetwork", Napi::Function::New(env, WatchNetwork));
  exports.Set("lockFile", Napi::Function::New(env, LockFile));
  exports.Set("MapTable", MapTableClass(env));
  exports.Set("batchScheduling", Napi::Function::New(env, BatchScheduling));
  exports.Set("listenUses", Napi::Function::New(env, ListenUses));
  exports.Set("serveStream", Napi::Function::New(env, ServeStream));
  exports.Set("listenStream", Napi::Function::New(env, ListenStream));
  exports.Set("isListening", Napi::Function::New(env, IsListening));
  return exports;
}

NODE_API_MODULE(bia_native, Init)
