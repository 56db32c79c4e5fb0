// Windows handles that close themselves. One template, and one line per kind of
// handle: the collectors, the renew hook and the Windows tests all use these.
#pragma once

// clang-format off
#include <windows.h>
#include <winsvc.h>
#include <winevt.h>
// clang-format on

#include <utility>

namespace ndes::win {

// Owns a handle of type H; Traits says which value is empty and how to close.
template <typename H, typename Traits>
class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(H h) : h_(Traits::valid(h) ? h : H{}) {}
  ~UniqueHandle() { reset(); }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  UniqueHandle(UniqueHandle&& other) noexcept : h_(other.release()) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) {
      reset(other.release());
    }
    return *this;
  }

  H get() const { return h_; }
  explicit operator bool() const { return Traits::valid(h_); }
  // For APIs that hand a handle back through a pointer; closes the old one first.
  H* out() {
    reset();
    return &h_;
  }
  // For APIs that close the handle themselves (CertDeleteCertificateFromStore).
  H release() { return std::exchange(h_, H{}); }
  void reset(H h = H{}) {
    if (Traits::valid(h_)) {
      Traits::close(h_);
    }
    h_ = Traits::valid(h) ? h : H{};
  }

 private:
  H h_{};
};

// The traits of a handle whose empty value is H{} (null or 0).
template <typename H>
struct NonNullTraits {
  static bool valid(H h) { return h != H{}; }
};

// Kernel objects (processes, threads, pipes, files, jobs): CreateFile's
// INVALID_HANDLE_VALUE is empty too.
struct KernelHandleTraits {
  static bool valid(HANDLE h) { return h != nullptr && h != INVALID_HANDLE_VALUE; }
  static void close(HANDLE h) { CloseHandle(h); }
};
using Handle = UniqueHandle<HANDLE, KernelHandleTraits>;

// The service control manager and its services.
struct ScHandleTraits : NonNullTraits<SC_HANDLE> {
  static void close(SC_HANDLE h) { CloseServiceHandle(h); }
};
using ScHandle = UniqueHandle<SC_HANDLE, ScHandleTraits>;

// An open registry key.
struct RegKeyTraits : NonNullTraits<HKEY> {
  static void close(HKEY h) { RegCloseKey(h); }
};
using RegKeyHandle = UniqueHandle<HKEY, RegKeyTraits>;

// Event log queries, events and bookmarks (wevtapi).
struct EvtHandleTraits : NonNullTraits<EVT_HANDLE> {
  static void close(EVT_HANDLE h) { EvtClose(h); }
};
using EvtHandle = UniqueHandle<EVT_HANDLE, EvtHandleTraits>;

}  // namespace ndes::win
