#include "exporter/http_server.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#endif
#include <civetweb.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "exporter/logging.h"

namespace ndes {
namespace {

#ifdef _WIN32
// getaddrinfo and inet_pton need Winsock started (civetweb starts it again for
// itself; the calls are counted).
[[maybe_unused]] const bool kWinsockStarted = [] {
  WSADATA data{};
  return WSAStartup(MAKEWORD(2, 2), &data) == 0;
}();
#endif

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool parse_port(std::string_view text, int* port) {
  if (text.empty() || text.size() > 5) {
    return false;
  }
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0 || value > 65535) {
    return false;
  }
  *port = value;
  return true;
}

// Resolves a host name to a numeric address civetweb accepts.
std::string resolve_host(const std::string& host, bool* ipv6) {
  if (host == "localhost") {
    *ipv6 = false;
    return "127.0.0.1";
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    throw std::runtime_error("cannot resolve host \"" + host + "\"");
  }
  std::array<char, INET6_ADDRSTRLEN> buf{};
  std::string out;
  // Prefer IPv4, as a host name usually means "the machine's address".
  for (int pass = 0; pass < 2 && out.empty(); ++pass) {
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
      if (pass == 0 && ai->ai_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
        inet_ntop(AF_INET, &sin->sin_addr, buf.data(), buf.size());
        out = buf.data();
        *ipv6 = false;
        break;
      }
      if (pass == 1 && ai->ai_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
        inet_ntop(AF_INET6, &sin6->sin6_addr, buf.data(), buf.size());
        out = buf.data();
        *ipv6 = true;
        break;
      }
    }
  }
  freeaddrinfo(found);
  if (out.empty()) {
    throw std::runtime_error("cannot resolve host \"" + host + "\"");
  }
  return out;
}

bool is_ipv4_literal(const std::string& host) {
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

// While mg_start2 runs on this thread, civetweb's messages are kept here: they say
// why a port could not be bound, which mg_start2's own error text does not.
thread_local std::vector<std::string>* t_start_messages = nullptr;

constexpr unsigned kFeatureIpv6 = 8;  // mg_check_feature: IPv6 support compiled in

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

void write_response(mg_connection* conn, const Request& request, const Response& response) {
  const std::string& body = response.shared_body ? *response.shared_body : response.body;
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  const std::string length = std::to_string(body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  if (request.method != "HEAD" && !body.empty()) {
    mg_write(conn, body.data(), body.size());
  }
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

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error) {
  const auto fail = [&](std::string reason) -> std::optional<ListenAddress> {
    if (error != nullptr) {
      *error = std::move(reason);
    }
    return std::nullopt;
  };
  if (text.empty()) {
    return fail("is empty (want host:port, e.g. :10227)");
  }
  ListenAddress out;
  std::string_view port_text;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return fail("has no closing ] (want [ipv6]:port, e.g. [::1]:10227)");
    }
    out.host = std::string(text.substr(1, close - 1));
    out.ipv6 = true;
    in6_addr addr{};
    if (out.host.empty() || inet_pton(AF_INET6, out.host.c_str(), &addr) != 1) {
      return fail("has an invalid IPv6 address");
    }
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return fail("has no port (want [ipv6]:port, e.g. [::1]:10227)");
    }
    port_text = rest.substr(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return fail("has no port (want host:port, e.g. :10227)");
    }
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return fail("has an IPv6 address without brackets (want [ipv6]:port)");
    }
    port_text = text.substr(colon + 1);
    for (const char c : out.host) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') {
        return fail("has an invalid host");
      }
    }
  }
  if (port_text.empty()) {
    return fail("has no port (want host:port, e.g. :10227)");
  }
  if (!parse_port(port_text, &out.port)) {
    return fail("has an invalid port \"" + std::string(port_text) + "\" (want 0-65535)");
  }
  return out;
}

std::string to_civetweb_ports(const ListenAddress& address, bool dual_stack) {
  const std::string port = std::to_string(address.port);
  if (address.host.empty()) {
    return (dual_stack ? "+" : "") + port;
  }
  if (address.ipv6) {
    return "[" + address.host + "]:" + port;
  }
  if (is_ipv4_literal(address.host)) {
    return address.host + ":" + port;
  }
  bool ipv6 = false;
  const std::string numeric = resolve_host(address.host, &ipv6);
  return ipv6 ? "[" + numeric + "]:" + port : numeric + ":" + port;
}

HttpServer::HttpServer(Options options) : options_(std::move(options)) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(std::string path, Handler handler) {
  routes_[std::move(path)] = std::move(handler);
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
  const std::string threads = std::to_string(options_.num_threads);
  const std::string timeout = std::to_string(options_.request_timeout_ms);

  mg_callbacks callbacks{};
  callbacks.log_message = &log_civetweb_message;

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
    const std::string ports = to_civetweb_ports(*address, dual_stack);
    // tcp_nodelay: civetweb writes the status line, each header and the body in
    // separate send()s; with Nagle on, a keep-alive client (Prometheus, wrk) waits
    // for its own delayed ACK, 40 ms per scrape (bench/run_macro.py measured it).
    const std::array<const char*, 13> opts = {"listening_ports",
                                              ports.c_str(),
                                              "num_threads",
                                              threads.c_str(),
                                              "request_timeout_ms",
                                              timeout.c_str(),
                                              "enable_keep_alive",
                                              "yes",
                                              "keep_alive_timeout_ms",
                                              "60000",
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
  // "/" is a prefix of every path: one civetweb handler, exact matching below.
  mg_set_request_handler(ctx_, "/", &HttpServer::handle, this);
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

Response HttpServer::dispatch(const Request& request) const {
  const auto it = routes_.find(request.path);
  if (it == routes_.end()) {
    return Response::text(404, "404 page not found\n");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    Response r = Response::text(405, "405 method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  try {
    return it->second(request);
  } catch (const std::exception& e) {
    log_error("request failed", {{"path", request.path}, {"err", e.what()}});
    return Response::text(500, std::string("500 internal server error: ") + e.what() + "\n");
  }
}

int HttpServer::handle(mg_connection* conn, void* cbdata) {
  const auto* self = static_cast<const HttpServer*>(cbdata);
  const mg_request_info* info = mg_get_request_info(conn);
  Request request;
  request.method = info->request_method != nullptr ? info->request_method : "";
  request.path = info->local_uri != nullptr ? info->local_uri : "/";
  request.query = info->query_string != nullptr ? info->query_string : "";
  for (int i = 0; i < info->num_headers; ++i) {
    const mg_header& h = info->http_headers[i];
    if (h.name != nullptr) {
      request.headers[lower(h.name)] = h.value != nullptr ? h.value : "";
    }
  }
  Response response;
  try {
    response = self->dispatch(request);
  } catch (const std::exception& e) {
    response = Response::text(500, std::string("500 internal server error: ") + e.what() + "\n");
  }
  write_response(conn, request, response);
  return response.status;  // non-zero: handled
}

}  // namespace ndes
