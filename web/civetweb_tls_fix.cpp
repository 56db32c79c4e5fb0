#include "web/civetweb_tls_fix.h"

#ifndef _WIN32
#include <civetweb.h>
#include <dlfcn.h>
#include <link.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>
#endif

namespace ndes::web {

#ifdef _WIN32
std::string fix_civetweb_peer_certificate_slot() { return ""; }  // no TLS in that build
#else
namespace {

struct Segment {
  std::uintptr_t start = 0;
  std::size_t size = 0;
  bool writable = false;
};

struct Search {
  std::uintptr_t base = 0;
  std::vector<Segment> segments;
};

int collect_segments(dl_phdr_info* info, std::size_t /*size*/, void* data) {
  auto* search = static_cast<Search*>(data);
  if (info->dlpi_addr != search->base) {
    return 0;
  }
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) {
      search->segments.push_back(
          {info->dlpi_addr + ph.p_vaddr, ph.p_memsz, (ph.p_flags & PF_W) != 0});
    }
  }
  return 1;
}

// Where the C string `name` (whole, NUL-terminated) sits in the library.
std::vector<std::uintptr_t> find_names(const Search& search, std::string_view name) {
  std::string needle(1, '\0');
  needle += name;
  needle += '\0';
  std::vector<std::uintptr_t> out;
  for (const Segment& seg : search.segments) {
    const std::string_view bytes(reinterpret_cast<const char*>(seg.start), seg.size);
    for (auto at = bytes.find(needle); at != std::string_view::npos;
         at = bytes.find(needle, at + 1)) {
      out.push_back(seg.start + at + 1);
    }
  }
  return out;
}

// The word in writable data that points at one of `names`: a table entry's name.
std::uintptr_t* find_entry(const Search& search, const std::vector<std::uintptr_t>& names) {
  for (const Segment& seg : search.segments) {
    if (!seg.writable) {
      continue;
    }
    auto* words = reinterpret_cast<std::uintptr_t*>(seg.start);
    const std::size_t count = seg.size / sizeof(std::uintptr_t);
    for (std::size_t i = 0; i + 4 < count; ++i) {
      for (const std::uintptr_t name : names) {
        if (words[i] == name) {
          return &words[i];
        }
      }
    }
  }
  return nullptr;
}

}  // namespace

std::string fix_civetweb_peer_certificate_slot() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&mg_start2), &info) == 0 || info.dli_fbase == nullptr) {
    return "cannot find libcivetweb in memory";
  }
  Search search;
  search.base = reinterpret_cast<std::uintptr_t>(info.dli_fbase);
  dl_iterate_phdr(&collect_segments, &search);
  const auto missing = find_names(search, "SSL_get_peer_certificate");
  if (missing.empty()) {
    return "";  // another civetweb build: nothing to fix
  }
  // The entry layout ({name, flag, function} in 1.15) is learnt from an entry that
  // did load: the word after SSL_free's name that holds SSL_free.
  std::uintptr_t* known = find_entry(search, find_names(search, "SSL_free"));
  const auto ssl_free = reinterpret_cast<std::uintptr_t>(dlsym(RTLD_DEFAULT, "SSL_free"));
  std::uintptr_t* entry = find_entry(search, missing);
  if (known == nullptr || entry == nullptr || ssl_free == 0) {
    return "civetweb's TLS function table was not found";
  }
  for (std::size_t offset = 1; offset <= 3; ++offset) {
    if (known[offset] != ssl_free) {
      continue;
    }
    if (entry[offset] == 0) {
      entry[offset] = reinterpret_cast<std::uintptr_t>(&SSL_get1_peer_certificate);
    }
    return "";
  }
  return "civetweb's TLS function table has an unknown layout";
}
#endif

}  // namespace ndes::web
