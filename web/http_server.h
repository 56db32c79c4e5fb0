// The HTTP server of both binaries, over civetweb's C API: plain request/response
// values, a route table of exact GET/HEAD paths (the exporter) or one handler for
// everything (the hook), the --web.config.file (TLS, basic auth, headers; re-read on
// change), and the limits below, each counted in ndes_web_* metrics.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/basic_auth.h"
#include "web/listen_address.h"
#include "web/web_config_source.h"
#include "web/web_metrics.h"

struct mg_context;
struct mg_connection;

namespace ndes {

struct Request {
  std::string method;
  std::string path;                            // decoded, without the query string
  std::string query;                           // raw query string after '?', "" if none
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string remote;                          // peer address, for audit logs
  std::string body;                            // read for every method, up to the limit
  bool body_too_large = false;                 // the body passed the limit and was not read
  std::string user;                            // the basic auth user who passed, if any

  // The decoded value of query parameter `name` (first occurrence), nullopt if absent.
  std::optional<std::string> query_param(std::string_view name) const;
  // The header `name` (any case), "" if absent.
  std::string header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Sent before `body`, in order, without a copy: texts that answer many requests
  // (concurrent scrapes share one rendering of /metrics, whose certificate series
  // are kept between scrapes; `body` then carries the per-request rest, the web
  // layer's own metrics).
  std::vector<std::shared_ptr<const std::string>> shared_parts;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static Response text(int status, std::string body);
};

// Decodes parameter `name` from an x-www-form-urlencoded string (a query string).
std::optional<std::string> query_param(std::string_view query, std::string_view name);

// The limits, with the defaults both binaries use (docs/security.md says why).
struct WebLimits {
  // Connections served at once (--web.max-connections). civetweb 1.15 starts this
  // many threads up front and gives each open connection one until it closes, idle or
  // not. Each thread costs about 12 KiB resident (stack pages, thread-local storage):
  // 256 of them were a fifth of an idle exporter. 128 is ample for the few Prometheus
  // servers and dashboards that scrape one exporter; slowloris connections are bounded
  // by the read timeout, not by this (docs/security.md).
  int max_connections = 128;
  // Handlers running at once. Past it a request waits up to `queue_wait`, then
  // gets 503 with Retry-After.
  int max_requests = 16;
  std::chrono::milliseconds queue_wait{5000};
  // The whole request (line, headers, body) must arrive within this; also the
  // timeout of each write of the answer. Short, because a slow connection holds a
  // thread that long: a scrape queued behind S slowloris connections waits about
  // read_timeout * (S / max_connections - 1).
  int read_timeout_ms = 3000;
  int keep_alive_timeout_ms = 60000;  // idle time between requests on one connection
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
};

// --web.max-requests and --web.max-connections: 1 to 99999; nullopt otherwise.
std::optional<int> parse_web_max_requests(std::string_view text);

class HttpServer {
 public:
  using Handler = std::function<Response(const Request&)>;

  struct Options {
    std::string listen_address = ":10227";
    std::string web_config_file;  // "" = plain HTTP, no auth
    WebLimits limits;
    // true: basic_auth_users (when set) guard every path. false: the handler
    // decides; Request::user tells it who passed (the hook also takes its token).
    bool require_basic_auth = true;
  };

  explicit HttpServer(Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Adds an exact-path route. Call before start(). GET and HEAD reach the handler;
  // other methods get 405.
  void route(std::string path, Handler handler);
  // Every request no route matches, any method (the hook's API).
  void fallback(Handler handler);

  // Loads the web config, binds and starts serving. Throws web::WebConfigError for
  // an unusable web config file, std::runtime_error when the address cannot be bound.
  void start();
  // Stops serving and waits for running requests. Idempotent.
  void stop();

  bool running() const { return ctx_ != nullptr; }
  bool tls() const { return config_ && config_->tls() != nullptr; }
  // The actual bound port (useful with port 0), or 0 when not running.
  int port() const;

  // Runs the routing for one request, without sockets (exposed for tests).
  Response dispatch(const Request& request) const;

  // The ndes_web_* metric families, built now.
  std::vector<prometheus::MetricFamily> metric_families() const;

 private:
  static int handle(mg_connection* conn, void* cbdata);
  static int init_ssl(void* ssl_ctx, void* user_data);
  static int on_http_error(mg_connection* conn, int status, const char* message);
  static int on_init_connection(const mg_connection* conn, void** conn_data);
  static void on_connection_close(const mg_connection* conn);
  Response serve(Request& request, mg_connection* conn);
  bool acquire_slot();
  void release_slot();

  Options options_;
  std::map<std::string, Handler, std::less<>> routes_;
  Handler fallback_;
  web::WebStats stats_;
  std::unique_ptr<web::WebConfigSource> config_;
  web::BasicAuthChecker auth_;
  std::mutex slots_mu_;
  std::condition_variable slots_cv_;
  int busy_slots_ = 0;
  std::atomic<std::int64_t> last_busy_log_{0};
  std::atomic<std::int64_t> last_bad_log_{0};  // steady seconds of the last busy log line
  mg_context* ctx_ = nullptr;
};

}  // namespace ndes
