#include "probe/http_fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "probe/curl_library.h"
#include "probe/url.h"

namespace ndes::probe {
namespace {

struct EasyDeleter {
  decltype(&curl_easy_cleanup) cleanup;
  void operator()(CURL* c) const { cleanup(c); }
};
struct SlistDeleter {
  decltype(&curl_slist_free_all) free_all;
  void operator()(curl_slist* l) const { free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

struct BodySink {
  std::vector<std::uint8_t>* body = nullptr;
  std::size_t cap = 0;
  bool cap_hit = false;
};

// Stops the transfer (by returning less than given) once the body would pass the
// cap: a 50 MiB answer costs us 1 MiB, not 50.
std::size_t on_body(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t n = size * nmemb;
  if (sink->body->size() + n > sink->cap) {
    sink->cap_hit = true;
    return 0;
  }
  sink->body->insert(sink->body->end(), data, data + n);
  return n;
}

// A redirect starts a new response: keep only the last one's body.
std::size_t on_header(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t n = size * nmemb;
  if (n >= 5 && std::equal(data, data + 5, "HTTP/")) {
    sink->body->clear();
  }
  return n;
}

long remaining_ms(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<long>(std::max<long long>(left.count(), 0));
}

}  // namespace

std::optional<ServerNameRewrite> rewrite_for_server_name(const std::string& url,
                                                         const std::string& server_name) {
  auto parsed = parse_http_url(url);
  if (!parsed || server_name.empty()) {
    return std::nullopt;
  }
  const std::string original_host = parsed->host_for_url();
  const int port = parsed->port;
  parsed->host = server_name;
  parsed->ipv6 = false;
  std::string rewritten = parsed->origin() + parsed->path;
  if (parsed->has_query) {
    rewritten += "?" + parsed->query;
  }
  return ServerNameRewrite{rewritten, server_name + ":" + std::to_string(port) + ":" +
                                          original_host + ":" + std::to_string(port)};
}

HttpFetchResult http_get(const std::string& url, const HttpFetchOptions& options) {
  HttpFetchResult result;
  const CurlLibrary* lib = curl_library(result.detail);
  if (lib == nullptr) {
    result.failure = FailureReason::connect_failed;  // no request could be made
    return result;
  }
  const CurlLibrary& api = *lib;
  const long timeout_ms = remaining_ms(options.deadline);
  if (timeout_ms <= 0) {
    result.failure = FailureReason::timeout;
    result.detail = "no time left before the probe's deadline";
    return result;
  }
  EasyPtr curl(api.easy_init(), EasyDeleter{api.easy_cleanup});
  if (!curl) {
    result.failure = FailureReason::connect_failed;
    result.detail = "curl_easy_init failed";
    return result;
  }
  CURL* c = curl.get();
  std::string request_url = url;
  SlistPtr connect_to(nullptr, SlistDeleter{api.slist_free_all});
  if (!options.tls.server_name.empty()) {
    if (auto rw = rewrite_for_server_name(url, options.tls.server_name)) {
      request_url = rw->url;
      connect_to.reset(api.slist_append(nullptr, rw->connect_to.c_str()));
      api.easy_setopt(c, CURLOPT_CONNECT_TO, connect_to.get());
    }
  }
  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : options.headers) {
    std::string line = name;
    line += ": ";
    line += value;
    if (curl_slist* next = api.slist_append(header_list, line.c_str())) {
      header_list = next;
    }
  }
  const SlistPtr headers(header_list, SlistDeleter{api.slist_free_all});
  BodySink sink{&result.body, options.max_body_bytes};
  char error[CURL_ERROR_SIZE] = {};

  api.easy_setopt(c, CURLOPT_URL, request_url.c_str());
  api.easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // thread safety: no SIGALRM for DNS
  api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  api.easy_setopt(c, CURLOPT_MAXREDIRS, kMaxRedirects);
  api.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  api.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
  api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  api.easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  api.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  api.easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  api.easy_setopt(c, CURLOPT_USERAGENT, "ndes_exporter");
  // An empty proxy string disables proxies even when http_proxy is set in the
  // environment: only the module's proxy_url is used.
  api.easy_setopt(c, CURLOPT_PROXY, options.proxy_url.c_str());
  if (headers) {
    api.easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  }
  if (!options.tls.ca_file.empty()) {
    api.easy_setopt(c, CURLOPT_CAINFO, options.tls.ca_file.c_str());
  }
  if (!options.tls.cert_file.empty()) {
    api.easy_setopt(c, CURLOPT_SSLCERT, options.tls.cert_file.c_str());
  }
  if (!options.tls.key_file.empty()) {
    api.easy_setopt(c, CURLOPT_SSLKEY, options.tls.key_file.c_str());
  }
  if (options.tls.insecure_skip_verify) {
    api.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    api.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }

  const CURLcode rc = api.easy_perform(c);
  api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  char* content_type = nullptr;
  if (api.easy_getinfo(c, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK &&
      content_type != nullptr) {
    result.content_type = content_type;
  }
  char* effective = nullptr;
  if (api.easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective != nullptr) {
    result.effective_url = effective;
  }
  if (rc != CURLE_OK) {
    result.failure = classify_curl_error(static_cast<int>(rc), sink.cap_hit);
    if (sink.cap_hit || rc == CURLE_FILESIZE_EXCEEDED) {
      result.detail = "the answer is larger than max_body_bytes (" +
                      std::to_string(options.max_body_bytes) + " bytes)";
    } else {
      result.detail = error[0] != '\0' ? std::string(error) : api.easy_strerror(rc);
    }
    if (rc == CURLE_TOO_MANY_REDIRECTS) {
      result.detail = "more than " + std::to_string(kMaxRedirects) +
                      " redirects (a redirect loop?), last at " + result.effective_url;
    }
  }
  return result;
}

}  // namespace ndes::probe
