// An HTTP server inside the test process (civetweb on 127.0.0.1, any free port)
// that answers each path the way the test says: a status, a Content-Type (or
// none), a body (possibly huge), a redirect, or no answer at all. It stands in for
// NDES, for a CRL distribution point and for every kind of broken endpoint.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct mg_context;
struct mg_connection;

namespace ndes::test {

struct TestResponse {
  int status = 200;
  std::optional<std::string> content_type;  // nullopt: no Content-Type header at all
  std::string body;
  std::size_t repeat = 1;   // the body is sent this many times (a 50 MiB answer)
  bool send_length = true;  // false: no Content-Length, the body ends when the connection does
  std::vector<std::pair<std::string, std::string>> headers;
  bool hang = false;  // accept the request and never answer (until the server stops)
};

struct SeenRequest {
  std::string path;   // as requested, undecoded
  std::string query;  // raw, "" if none
};

class TestHttpServer {
 public:
  // (path, raw query) -> response
  using Handler = std::function<TestResponse(const std::string& path, const std::string& query)>;

  TestHttpServer();  // starts listening on 127.0.0.1:<free port>
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  // Exact path -> handler. Unknown paths get 404.
  void on(const std::string& path, Handler handler);
  void on(const std::string& path, const TestResponse& response);

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const;
  std::vector<SeenRequest> requests() const;

 private:
  static int handle(mg_connection* conn, void* cbdata);
  void wait_until_stopped();

  mg_context* ctx_ = nullptr;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stopped_cv_;
  bool stopping_ = false;
  std::map<std::string, Handler> handlers_;
  std::vector<SeenRequest> seen_;
};

}  // namespace ndes::test
