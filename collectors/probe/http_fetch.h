// One HTTP GET with everything a probe needs: an absolute deadline, a body cap, at
// most 5 redirects, a proxy, extra headers and the module's TLS options. Never
// throws for network trouble: the outcome says what went wrong. Over libcurl on
// Linux (http_fetch.cpp), over WinHTTP on Windows (http_fetch_winhttp.cpp, which
// says what differs).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "probe/failure.h"
#include "probe/probe_config.h"

namespace ndes::probe {

using Deadline = std::chrono::steady_clock::time_point;

inline constexpr long kMaxRedirects = 5;

struct HttpFetchOptions {
  Deadline deadline;
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  std::string proxy_url;
  std::map<std::string, std::string> headers;
  ProbeTlsOptions tls;
};

struct HttpFetchResult {
  long status = 0;           // the last response's status; 0 if none arrived
  std::string content_type;  // as sent, "" if none
  std::vector<std::uint8_t> body;
  std::string effective_url;  // after redirects
  // Set when the transfer itself failed (the status is not judged here).
  std::optional<FailureReason> failure;
  std::string detail;  // the client's message for a failure
};

HttpFetchResult http_get(const std::string& url, const HttpFetchOptions& options);

// "http://host:port/a" with `server_name` as host (for SNI and certificate checks),
// plus the CURLOPT_CONNECT_TO entry that still sends it to the original host.
// Pure; nullopt when the URL has no host to replace.
struct ServerNameRewrite {
  std::string url;
  std::string connect_to;  // "server_name:port:host:port"
};
std::optional<ServerNameRewrite> rewrite_for_server_name(const std::string& url,
                                                         const std::string& server_name);

}  // namespace ndes::probe
