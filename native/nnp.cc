// no_new_privs for bia run's own process, which Node cannot set, before it
// spawns a program with file capabilities: the program inherits it, the
// kernel then grants it no capabilities from its file, and the loader keeps
// LD_PRELOAD (src/secure-exec.ts). The native launcher does the same in C.
#include <napi.h>
#include <sys/prctl.h>
#include <cerrno>

// noNewPrivileges(): 0, or the errno of prctl.
Napi::Value NoNewPrivileges(const Napi::CallbackInfo &info) {
  int rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : errno);
}
