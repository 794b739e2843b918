// The helper's side of the published mapping table (preload/include/
// bia_maptable.h, docs/protocol.md "The published table"): a file next to
// the socket, mapped shared, that the helper writes and every program's
// preload reads without a round trip. Written here rather than from
// JavaScript because readers rely on the seqlock's memory ordering, which
// only C atomics promise.
#include "errno_error.h"
#include <napi.h>

#include "bia_maptable.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>

namespace {

using Header = bia_maptable_header;
using Record = bia_maptable_record;

// A table a crashed helper left is marked retired, so that programs still
// reading it reopen the path rather than trust a table nobody updates.
void RetireFile(const std::string &path) {
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)sizeof(Header)) {
    void *at = mmap(nullptr, sizeof(Header), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (at != MAP_FAILED) {
      auto *h = static_cast<Header *>(at);
      if (memcmp(h->magic, BIA_MAPTABLE_MAGIC, sizeof h->magic) == 0) __atomic_store_n(&h->retired, 1u, __ATOMIC_RELEASE);
      munmap(at, sizeof(Header));
    }
  }
  close(fd);
}

class MapTable : public Napi::ObjectWrap<MapTable> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MapTable",
                       {InstanceMethod("set", &MapTable::Set), InstanceMethod("clear", &MapTable::Clear),
                        InstanceMethod("setHello", &MapTable::SetHello), InstanceMethod("retire", &MapTable::Retire)});
  }

  // new MapTable(path, poolBase, records): replaces PATH (mode 0600) with an
  // empty table for `records` pool addresses from poolBase (host order).
  explicit MapTable(const Napi::CallbackInfo &info) : Napi::ObjectWrap<MapTable>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "new MapTable(path, poolBase, records)").ThrowAsJavaScriptException();
      return;
    }
    path_ = info[0].As<Napi::String>();
    uint32_t base = info[1].As<Napi::Number>().Uint32Value();
    uint32_t records = info[2].As<Napi::Number>().Uint32Value();
    if (records > BIA_MAPTABLE_MAX_RECORDS) records = BIA_MAPTABLE_MAX_RECORDS;
    Create(env, base, records);
  }

  ~MapTable() override { Unmap(); }

 private:
  // Filled in under another name and renamed into place, so that a reader
  // never maps a half-made file.
  void Create(Napi::Env env, uint32_t base, uint32_t records) {
    std::string fresh = path_ + ".new";
    size_t size = sizeof(Header) + size_t(records) * sizeof(Record);
    unlink(fresh.c_str());
    int fd = open(fresh.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return ErrnoError(env, "open " + fresh, errno).ThrowAsJavaScriptException();
    // Every page reserved now, not on first touch: a sparse file on a full
    // file system faults (SIGBUS) on the first write to a page it cannot
    // back, in the helper and in every reader. No room: no table, and
    // programs ask the helper instead.
    if (int err = posix_fallocate(fd, 0, size); err != 0) {
      errno = err;
      return Fail(env, fd, fresh, "reserve " + std::to_string(size) + " bytes for " + fresh);
    }
    void *at = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (at == MAP_FAILED) return Fail(env, fd, fresh, "mmap " + fresh);
    struct stat st;
    fstat(fd, &st);
    close(fd);
    base_ = static_cast<char *>(at);
    size_ = size;
    ino_ = st.st_ino;
    auto *h = header();
    memcpy(h->magic, BIA_MAPTABLE_MAGIC, sizeof h->magic);
    h->version = BIA_MAPTABLE_VERSION;
    h->header_size = sizeof(Header);
    h->record_size = sizeof(Record);
    h->pool_base = base;
    h->records = records;
    h->helper_pid = getpid();
    RetireFile(path_);
    if (rename(fresh.c_str(), path_.c_str()) != 0) {
      int err = errno;
      unlink(fresh.c_str());
      Unmap();
      ErrnoError(env, "rename " + fresh, err).ThrowAsJavaScriptException();
    }
  }

  void Fail(Napi::Env env, int fd, const std::string &fresh, const std::string &what) {
    int err = errno;
    close(fd);
    unlink(fresh.c_str());
    ErrnoError(env, what, err).ThrowAsJavaScriptException();
  }

  Header *header() { return reinterpret_cast<Header *>(base_); }
  Record *record(uint32_t i) { return reinterpret_cast<Record *>(base_ + sizeof(Header)) + i; }

  // The writer's half of the seqlock: odd, fence, fields, even.
  void Write(uint32_t i, uint32_t until, const uint32_t v6[4]) {
    Record *r = record(i);
    uint32_t seq = r->seq;
    __atomic_store_n(&r->seq, seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&r->until, until, __ATOMIC_RELAXED);
    for (int k = 0; k < 4; k++) __atomic_store_n(&r->v6[k], v6[k], __ATOMIC_RELAXED);
    __atomic_store_n(&r->seq, seq + 2, __ATOMIC_RELEASE);
  }

  // A record index the table has, or false (an address past a capped table).
  bool Index(const Napi::CallbackInfo &info, uint32_t *i) {
    if (!base_ || info.Length() < 1 || !info[0].IsNumber()) return false;
    *i = info[0].As<Napi::Number>().Uint32Value();
    return *i < header()->records;
  }

  // set(i, until, w0, w1, w2, w3): record i maps to the IPv6 address whose
  // four 32-bit words, most significant first, are w0..w3 (src/wire/addresses.ts
  // v6ToWords) until `until` (seconds); stored as the bytes of an in6_addr.
  Napi::Value Set(const Napi::CallbackInfo &info) {
    uint32_t i, v6[4];
    if (info.Length() < 6 || !Index(info, &i)) return info.Env().Undefined();
    for (int k = 0; k < 4; k++) v6[k] = htonl(info[2 + k].As<Napi::Number>().Uint32Value());
    Write(i, info[1].As<Napi::Number>().Uint32Value(), v6);
    return info.Env().Undefined();
  }

  Napi::Value Clear(const Napi::CallbackInfo &info) {
    static const uint32_t none[4] = {0, 0, 0, 0};
    uint32_t i;
    if (Index(info, &i)) Write(i, 0, none);
    return info.Env().Undefined();
  }

  // setHello(frame): the HELLO reply readers take instead of asking.
  Napi::Value SetHello(const Napi::CallbackInfo &info) {
    if (!base_ || info.Length() < 1 || !info[0].IsBuffer()) return info.Env().Undefined();
    auto frame = info[0].As<Napi::Buffer<uint8_t>>();
    if (frame.Length() > BIA_MAPTABLE_HELLO_MAX) return info.Env().Undefined();
    Header *h = header();
    uint32_t seq = h->hello_seq;
    __atomic_store_n(&h->hello_seq, seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&h->hello_len, uint32_t(frame.Length()), __ATOMIC_RELAXED);
    for (size_t k = 0; k < BIA_MAPTABLE_HELLO_MAX; k++)
      __atomic_store_n(&h->hello[k], k < frame.Length() ? frame.Data()[k] : uint8_t(0), __ATOMIC_RELAXED);
    __atomic_store_n(&h->hello_seq, seq + 2, __ATOMIC_RELEASE);
    return info.Env().Undefined();
  }

  // The helper stops: readers go back to asking it, and the file goes
  // unless a newer helper's already replaced it.
  Napi::Value Retire(const Napi::CallbackInfo &info) {
    if (!base_) return info.Env().Undefined();
    __atomic_store_n(&header()->retired, 1u, __ATOMIC_RELEASE);
    struct stat st;
    if (stat(path_.c_str(), &st) == 0 && st.st_ino == ino_) unlink(path_.c_str());
    Unmap();
    return info.Env().Undefined();
  }

  void Unmap() {
    if (base_) munmap(base_, size_);
    base_ = nullptr;
  }

  std::string path_;
  char *base_ = nullptr;
  size_t size_ = 0;
  ino_t ino_ = 0;
};

}  // namespace

Napi::Function MapTableClass(Napi::Env env) { return MapTable::Define(env); }
