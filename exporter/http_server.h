// A small HTTP server over civetweb's C API: a route table of exact paths, plain
// request/response values, RAII start/stop.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct mg_context;
struct mg_connection;

namespace ndes {

struct Request {
  std::string method;
  std::string path;                            // decoded, without the query string
  std::string query;                           // raw query string after '?', "" if none
  std::map<std::string, std::string> headers;  // names lower-cased

  // The decoded value of query parameter `name` (first occurrence), nullopt if absent.
  std::optional<std::string> query_param(std::string_view name) const;
  // The header `name` (any case), "" if absent.
  std::string header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Sent instead of `body` when set: one text answers many requests without a copy
  // each (concurrent scrapes share one rendering of /metrics).
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static Response text(int status, std::string body);
};

// Decodes parameter `name` from an x-www-form-urlencoded string (a query string).
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// A parsed --web.listen-address: ":10227", "127.0.0.1:10227", "[::1]:10227",
// "localhost:10227".
struct ListenAddress {
  std::string host;  // "" = every interface; IPv6 without brackets
  int port = 0;
  bool ipv6 = false;  // host is an IPv6 literal
};

// Parses host:port. On failure returns nullopt and sets *error to a reason
// ("has no port", ...) that names no flag.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error);

// The civetweb listening_ports value for an address: "10227" / "+10227",
// "127.0.0.1:10227", "[::1]:10227". `dual_stack` makes an empty host listen on
// IPv4 and IPv6. Host names are resolved here.
std::string to_civetweb_ports(const ListenAddress& address, bool dual_stack);

class HttpServer {
 public:
  using Handler = std::function<Response(const Request&)>;

  struct Options {
    std::string listen_address = ":10227";
    int num_threads = 8;
    int request_timeout_ms = 10000;
  };

  explicit HttpServer(Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Adds an exact-path route. Call before start(). GET and HEAD reach the handler;
  // other methods get 405.
  void route(std::string path, Handler handler);

  // Binds and starts serving. Throws std::runtime_error with a readable reason when
  // the address cannot be bound.
  void start();
  // Stops serving and waits for running requests. Idempotent.
  void stop();

  bool running() const { return ctx_ != nullptr; }
  // The actual bound port (useful with port 0), or 0 when not running.
  int port() const;

  // Runs the routing for one request, without sockets (exposed for tests).
  Response dispatch(const Request& request) const;

 private:
  static int handle(mg_connection* conn, void* cbdata);

  Options options_;
  std::map<std::string, Handler, std::less<>> routes_;
  mg_context* ctx_ = nullptr;
};

}  // namespace ndes
