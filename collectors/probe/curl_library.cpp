#include "probe/curl_library.h"

#include <dlfcn.h>

#include <mutex>

#include "base/log.h"

namespace ndes::probe {
namespace {

// libcurl.so.4 here; the build reads it from the library it found (collectors/CMakeLists.txt).
constexpr const char* kSoname = NDES_LIBCURL_SONAME;

struct Loaded {
  CurlLibrary library;
  std::string error;  // empty: loaded
};

template <typename F>
bool resolve(void* handle, const char* name, F& out, std::string& error) {
  out = reinterpret_cast<F>(::dlsym(handle, name));
  if (out == nullptr && error.empty()) {
    error = std::string("cannot find ") + name + " in " + kSoname;
  }
  return out != nullptr;
}

Loaded load() {
  Loaded out;
  // Never closed: the library stays for the life of the process, as if linked.
  void* handle = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    out.error = std::string("cannot load ") + kSoname + ": " + (why != nullptr ? why : "?");
    return out;
  }
  CurlLibrary& l = out.library;
  decltype(&curl_global_init) global_init = nullptr;
  resolve(handle, "curl_global_init", global_init, out.error);
  resolve(handle, "curl_easy_init", l.easy_init, out.error);
  resolve(handle, "curl_easy_setopt", l.easy_setopt, out.error);
  resolve(handle, "curl_easy_perform", l.easy_perform, out.error);
  resolve(handle, "curl_easy_getinfo", l.easy_getinfo, out.error);
  resolve(handle, "curl_easy_cleanup", l.easy_cleanup, out.error);
  resolve(handle, "curl_easy_strerror", l.easy_strerror, out.error);
  resolve(handle, "curl_slist_append", l.slist_append, out.error);
  resolve(handle, "curl_slist_free_all", l.slist_free_all, out.error);
  if (out.error.empty() && global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    out.error = std::string("curl_global_init failed in ") + kSoname;
  }
  if (out.error.empty()) {
    log_debug("libcurl loaded for the first HTTP probe", {{"library", kSoname}});
  } else {
    log_error("libcurl unusable: every HTTP probe (scep, crl) fails", {{"err", out.error}});
  }
  return out;
}

}  // namespace

const CurlLibrary* curl_library(std::string& error) {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = load(); });
  if (!loaded.error.empty()) {
    error = loaded.error;
    return nullptr;
  }
  return &loaded.library;
}

}  // namespace ndes::probe
