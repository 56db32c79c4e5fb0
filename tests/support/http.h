// A small HTTP client over libcurl for tests: what a scraper or a browser sees.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace ndes::test {

struct HttpResponse {
  long status = 0;  // 0 when the request failed
  std::string body;
  std::string content_type;
  std::string error;
};

HttpResponse http_request(const std::string& method, const std::string& url,
                          const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

inline HttpResponse http_get(const std::string& url,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  return http_request("GET", url, "", {}, timeout);
}

}  // namespace ndes::test
