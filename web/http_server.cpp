#include "web/http_server.h"

#include <civetweb.h>
#include <openssl/ssl.h>

#ifndef _WIN32
#include <sys/resource.h>
#endif

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "base/log.h"
#include "base/text.h"
#include "web/civetweb_tls_fix.h"

namespace ndes {
namespace {

// While mg_start2 runs on this thread, civetweb's messages are kept here: they say
// why a port could not be bound, which mg_start2's own error text does not.
thread_local std::vector<std::string>* t_start_messages = nullptr;

constexpr unsigned kFeatureIpv6 = 8;  // mg_check_feature: IPv6 support compiled in
constexpr unsigned kFeatureTls = 2;   // mg_check_feature: HTTPS support compiled in

int log_civetweb_message(const mg_connection* /*conn*/, const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  if (t_start_messages != nullptr) {
    t_start_messages->push_back(text);
  }
  log_debug("civetweb", {{"message", text}});
  return 1;  // handled: civetweb writes nothing itself
}

void write_response(mg_connection* conn, const Request& request, const Response& response,
                    const std::vector<std::pair<std::string, std::string>>& config_headers) {
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  std::size_t size = response.body.size();
  for (const auto& part : response.shared_parts) {
    size += part ? part->size() : 0;
  }
  const std::string length = std::to_string(size);
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  for (const auto& [name, value] : config_headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  if (request.method == "HEAD") {
    return;
  }
  for (const auto& part : response.shared_parts) {
    if (part && !part->empty()) {
      mg_write(conn, part->data(), part->size());
    }
  }
  if (!response.body.empty()) {
    mg_write(conn, response.body.data(), response.body.size());
  }
}

// Reads the body up to `limit`; a declared length past it is refused unread (the
// 413 answer closes the connection).
void read_body(mg_connection* conn, const mg_request_info* info, std::size_t limit,
               Request* request) {
  const bool chunked = !lower(request->header("transfer-encoding")).empty();
  if (info->content_length > static_cast<long long>(limit)) {
    request->body_too_large = true;
    return;
  }
  if (info->content_length <= 0 && !chunked) {
    return;
  }
  std::array<char, 16384> buf{};
  for (;;) {
    const int n = mg_read(conn, buf.data(), buf.size());
    if (n <= 0) {
      break;
    }
    request->body.append(buf.data(), static_cast<std::size_t>(n));
    if (request->body.size() > limit) {
      request->body_too_large = true;
      request->body.clear();
      break;
    }
  }
}

Response too_large(std::size_t limit) {
  Response r = Response::text(
      413, "413 request body too large (limit " + std::to_string(limit) + " bytes)\n");
  r.headers.emplace_back("Connection", "close");
  return r;
}

// Go's net/http raises the soft open-files limit to the hard one; so do we, as
// every connection is a descriptor and the soft default (1024) is below what
// --web.max-connections allows.
void raise_open_files_limit() {
#ifndef _WIN32
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
#endif
}

// True at most once per wall-clock second per `last`, for log lines a flood repeats.
bool once_per_second(std::atomic<std::int64_t>* last) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t seen = last->load();
  return seen != now && last->compare_exchange_strong(seen, now);
}

}  // namespace

std::optional<std::string> Request::query_param(std::string_view name) const {
  return ndes::query_param(query, name);
}

std::string Request::header(std::string_view name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  if (query.empty()) {
    return std::nullopt;
  }
  const std::string data(query);
  const std::string key(name);
  std::vector<char> buf(std::max<std::size_t>(query.size() + 1, 64));
  const int n = mg_get_var2(data.data(), data.size(), key.c_str(), buf.data(), buf.size(), 0);
  if (n < 0) {
    return std::nullopt;  // -1 absent; -2 cannot happen: the buffer fits the whole query
  }
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

std::optional<int> parse_web_max_requests(std::string_view text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const int n = std::stoi(std::string(text));
  return n >= 1 ? std::optional<int>(n) : std::nullopt;
}

HttpServer::HttpServer(Options options) : options_(std::move(options)) {
  stats_.max_requests = options_.limits.max_requests;
  stats_.max_connections = options_.limits.max_connections;
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(std::string path, Handler handler) {
  routes_[std::move(path)] = std::move(handler);
}

void HttpServer::fallback(Handler handler) { fallback_ = std::move(handler); }

// civetweb made the listener's SSL_CTX (and loaded libssl for it); 1 = set up, do
// not load ssl_certificate. Our contexts take over in the ClientHello callback.
int HttpServer::init_ssl(void* ssl_ctx, void* user_data) {
  auto* self = static_cast<HttpServer*>(user_data);
  if (const std::string why = web::fix_civetweb_peer_certificate_slot(); !why.empty()) {
    log_error("cannot serve TLS with this civetweb", {{"err", why}});
    return -1;  // mg_start2 fails: better than a crash at the first handshake
  }
  self->config_->tls()->attach(static_cast<SSL_CTX*>(ssl_ctx));
  return 1;
}

int HttpServer::on_http_error(mg_connection* conn, int status, const char* message) {
  auto* self = static_cast<HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  const std::string text = message != nullptr ? message : "";
  if (status == 413) {
    self->stats_.reject(web::Rejection::header_too_large);
    log_warn("request refused: headers larger than the limit",
             {{"limit_bytes", std::to_string(self->options_.limits.max_header_bytes)}});
  } else if (status == 400 || status == 408) {
    // civetweb 1.15 says "Malformed message" for headers past max_request_size too.
    self->stats_.reject(web::Rejection::bad_request);
    if (once_per_second(&self->last_bad_log_)) {  // slowloris must not flood the log
      log_warn(
          "request refused: malformed, headers larger than the limit, or not complete "
          "within the read timeout",
          {{"status", std::to_string(status)},
           {"err", text},
           {"header_limit_bytes", std::to_string(self->options_.limits.max_header_bytes)},
           {"read_timeout_ms", std::to_string(self->options_.limits.read_timeout_ms)}});
    }
  }
  return 1;  // civetweb sends its standard error page
}

int HttpServer::on_init_connection(const mg_connection* conn, void** /*conn_data*/) {
  auto* self = static_cast<HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  self->stats_.connections_open.fetch_add(1);
  return 0;
}

void HttpServer::on_connection_close(const mg_connection* conn) {
  auto* self = static_cast<HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  self->stats_.connections_open.fetch_sub(1);
}

void HttpServer::start() {
  if (ctx_ != nullptr) {
    return;
  }
  std::string error;
  const auto address = parse_listen_address(options_.listen_address, &error);
  if (!address) {
    throw std::runtime_error("listen address \"" + options_.listen_address + "\" " + error);
  }
  config_ = std::make_unique<web::WebConfigSource>(options_.web_config_file, &stats_);
  const bool use_tls = config_->tls() != nullptr;
  if (use_tls && mg_check_feature(kFeatureTls) == 0) {
    throw web::WebConfigError(options_.web_config_file +
                              ": tls_server_config: this build of civetweb has no TLS support");
  }
  raise_open_files_limit();
  const WebLimits& limits = options_.limits;
  const std::string threads = std::to_string(limits.max_connections);
  const std::string timeout = std::to_string(limits.read_timeout_ms);
  const std::string keep_alive = std::to_string(limits.keep_alive_timeout_ms);
  const std::string header_bytes = std::to_string(limits.max_header_bytes);

  mg_callbacks callbacks{};
  callbacks.log_message = &log_civetweb_message;
  callbacks.http_error = &HttpServer::on_http_error;
  callbacks.init_connection = &HttpServer::on_init_connection;
  callbacks.connection_close = &HttpServer::on_connection_close;
  // Every request is answered here, from the first connection on. A handler set with
  // mg_set_request_handler() after mg_start2() leaves a moment in which the server
  // listens and answers 404 (a scrape right after a restart saw it).
  callbacks.begin_request = [](mg_connection* conn) {
    return HttpServer::handle(conn, mg_get_user_data(mg_get_context(conn)));
  };
  if (use_tls) {
    callbacks.init_ssl = &HttpServer::init_ssl;
  }

  // An empty host means every interface: IPv4 and IPv6 where the build and the
  // kernel have IPv6, else IPv4 only.
  std::vector<bool> attempts;
  const bool has_ipv6 = mg_check_feature(kFeatureIpv6) != 0;
  if (address->ipv6 && !has_ipv6) {
    throw std::runtime_error("cannot listen on " + options_.listen_address +
                             ": this build of civetweb has no IPv6 support");
  }
  if (address->host.empty() && has_ipv6) {
    attempts.push_back(true);
  }
  attempts.push_back(false);

  std::string last_error;
  for (const bool dual_stack : attempts) {
    const std::string ports = to_civetweb_ports(*address, dual_stack) + (use_tls ? "s" : "");
    // tcp_nodelay: civetweb writes the status line, each header and the body in
    // separate send()s; with Nagle on, a keep-alive client (Prometheus, wrk) waits
    // for its own delayed ACK, 40 ms per scrape (bench/run_macro.py measured it).
    const std::array<const char*, 17> opts = {"listening_ports",
                                              ports.c_str(),
                                              "num_threads",
                                              threads.c_str(),
                                              "request_timeout_ms",
                                              timeout.c_str(),
                                              "enable_keep_alive",
                                              "yes",
                                              "keep_alive_timeout_ms",
                                              keep_alive.c_str(),
                                              "max_request_size",
                                              header_bytes.c_str(),
                                              "decode_url",
                                              "yes",
                                              "tcp_nodelay",
                                              "1",
                                              nullptr};
    std::array<char, 256> text{};
    unsigned code = 0;
    mg_error_data err{};
    err.code = &code;
    err.text = text.data();
    err.text_buffer_size = text.size();
    mg_init_data init{};
    init.callbacks = &callbacks;
    init.user_data = this;
    init.configuration_options = const_cast<const char**>(opts.data());
    std::vector<std::string> messages;
    t_start_messages = &messages;
    ctx_ = mg_start2(&init, &err);
    t_start_messages = nullptr;
    if (ctx_ != nullptr) {
      break;
    }
    last_error = text.data();
    // "cannot bind to 10227: 98 (Address already in use)" beats "Failed to setup
    // server ports".
    for (const auto& m : messages) {
      if (m.find("bind") != std::string::npos || m.find("listen") != std::string::npos) {
        last_error = m;
        break;
      }
    }
    log_debug("civetweb did not start", {{"listening_ports", ports}, {"err", last_error}});
  }
  if (ctx_ == nullptr) {
    throw std::runtime_error("cannot listen on " + options_.listen_address + ": " +
                             (last_error.empty() ? "civetweb failed to start" : last_error));
  }
}

void HttpServer::stop() {
  if (ctx_ != nullptr) {
    mg_stop(ctx_);
    ctx_ = nullptr;
  }
}

int HttpServer::port() const {
  if (ctx_ == nullptr) {
    return 0;
  }
  std::array<mg_server_port, 4> ports{};
  const int n = mg_get_server_ports(ctx_, static_cast<int>(ports.size()), ports.data());
  return n > 0 ? ports[0].port : 0;
}

std::vector<prometheus::MetricFamily> HttpServer::metric_families() const {
  return web::web_families(stats_);
}

Response HttpServer::dispatch(const Request& request) const {
  const auto it = routes_.find(request.path);
  if (it == routes_.end()) {
    if (fallback_) {
      return fallback_(request);
    }
    return Response::text(404, "404 page not found\n");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = Response::text(405, "405 method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (request.body_too_large) {
    return too_large(options_.limits.max_body_bytes);
  }
  try {
    return it->second(request);
  } catch (const std::exception& e) {
    log_error("request failed", {{"path", request.path}, {"err", e.what()}});
    return Response::text(500, std::string("500 internal server error: ") + e.what() + "\n");
  }
}

bool HttpServer::acquire_slot() {
  std::unique_lock<std::mutex> lock(slots_mu_);
  const bool got = slots_cv_.wait_for(lock, options_.limits.queue_wait, [this] {
    return busy_slots_ < options_.limits.max_requests;
  });
  if (got) {
    ++busy_slots_;
    stats_.requests_in_flight = busy_slots_;
  }
  return got;
}

void HttpServer::release_slot() {
  {
    std::lock_guard<std::mutex> lock(slots_mu_);
    --busy_slots_;
    stats_.requests_in_flight = busy_slots_;
  }
  slots_cv_.notify_one();
}

Response HttpServer::serve(Request& request, mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  read_body(conn, info, options_.limits.max_body_bytes, &request);
  if (request.body_too_large) {
    stats_.reject(web::Rejection::body_too_large);
    log_warn(
        "request refused: body larger than the limit",
        {{"path", request.path}, {"limit_bytes", std::to_string(options_.limits.max_body_bytes)}});
  }
  const auto config = config_->current();
  const std::string authorization = request.header("authorization");
  if (!config->users.empty()) {
    const bool basic = lower(authorization.substr(0, 6)) == "basic ";
    if (basic && auth_.check(config->users, authorization)) {
      request.user = web::parse_basic_authorization(authorization)->first;
    } else if (options_.require_basic_auth || basic) {
      stats_.reject(web::Rejection::unauthorized);
      Response r = Response::text(401, "401 unauthorized\n");
      r.headers.emplace_back("WWW-Authenticate", "Basic");
      return r;
    }
  }
  return dispatch(request);
}

int HttpServer::handle(mg_connection* conn, void* cbdata) {
  auto* self = static_cast<HttpServer*>(cbdata);
  const mg_request_info* info = mg_get_request_info(conn);
  Request request;
  request.method = info->request_method != nullptr ? info->request_method : "";
  request.path = info->local_uri != nullptr ? info->local_uri : "/";
  request.query = info->query_string != nullptr ? info->query_string : "";
  request.remote = info->remote_addr;
  for (int i = 0; i < info->num_headers; ++i) {
    const mg_header& h = info->http_headers[i];
    if (h.name != nullptr) {
      request.headers[lower(h.name)] = h.value != nullptr ? h.value : "";
    }
  }
  Response response;
  if (!self->acquire_slot()) {
    self->stats_.reject(web::Rejection::too_many_requests);
    if (once_per_second(&self->last_busy_log_)) {  // a flood must not flood the log too
      log_warn(
          "request refused: too many requests at once",
          {{"path", request.path},
           {"max_requests", std::to_string(self->options_.limits.max_requests)},
           {"refused_total",
            std::to_string(
                self->stats_.rejected[static_cast<std::size_t>(web::Rejection::too_many_requests)]
                    .load())}});
    }
    response = Response::text(503, "503 too many requests at once, retry later\n");
    response.headers.emplace_back("Retry-After", "1");
    response.headers.emplace_back("Connection", "close");
  } else {
    try {
      response = self->serve(request, conn);
    } catch (const std::exception& e) {
      response = Response::text(500, std::string("500 internal server error: ") + e.what() + "\n");
    }
    self->release_slot();
  }
  const auto config = self->config_->current();
  write_response(conn, request, response, config->headers);
  return response.status;  // non-zero: handled
}

}  // namespace ndes
