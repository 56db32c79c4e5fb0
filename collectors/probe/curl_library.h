// libcurl, loaded when the first HTTP probe runs instead of at start.
//
// Debian's libcurl brings GnuTLS, p11-kit, nettle, Kerberos, LDAP, SASL, SSH and RTMP
// libraries with it. Linked at start they were 4 MiB of an idle exporter's 20
// (bench/profiling.md), though most exporters never make an HTTP probe: the one on the
// NDES server reads its certificate store, the one scanning files reads files. The
// headers stay libcurl's own, so the types and options are checked as before.
#pragma once

#include <curl/curl.h>

#include <string>

namespace ndes::probe {

// The functions the probes call, resolved from the loaded library.
struct CurlLibrary {
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
};

// Loads libcurl and runs curl_global_init, once per process (thread-safe). Null if
// it cannot be loaded; then `error` says why (the file and the loader's reason), and
// every later call says the same.
const CurlLibrary* curl_library(std::string& error);

}  // namespace ndes::probe
