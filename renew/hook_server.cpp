#include "renew/hook_server.h"

#include <civetweb.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "exporter/logging.h"
#include "renew/text.h"

namespace ndes::renew {
namespace {

constexpr unsigned kFeatureIpv6 = 8;  // mg_check_feature: IPv6 compiled in

int log_civetweb_message(const mg_connection* /*conn*/, const char* message) {
  log_debug("civetweb", {{"message", message != nullptr ? message : ""}});
  return 1;
}

// Reads the body up to kMaxBodyBytes + 1; sets *too_large past the limit. A declared
// length past the limit is refused unread (the 413 response closes the connection).
std::string read_body(mg_connection* conn, const mg_request_info* info, bool* too_large) {
  std::string body;
  if (info->content_length > static_cast<long long>(kMaxBodyBytes)) {
    *too_large = true;
    return body;
  }
  std::array<char, 16384> buf{};
  for (;;) {
    const int n = mg_read(conn, buf.data(), buf.size());
    if (n <= 0) {
      break;
    }
    body.append(buf.data(), static_cast<std::size_t>(n));
    if (body.size() > kMaxBodyBytes) {
      *too_large = true;
      body.clear();
      break;
    }
  }
  return body;
}

void write_response(mg_connection* conn, const std::string& method, const Response& response) {
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  const std::string length = std::to_string(response.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  if (method != "HEAD" && !response.body.empty()) {
    mg_write(conn, response.body.data(), response.body.size());
  }
}

}  // namespace

HookServer::HookServer(HookApi& api, std::string listen_address)
    : api_(api), listen_address_(std::move(listen_address)) {}

HookServer::~HookServer() { stop(); }

void HookServer::start() {
  std::string error;
  const auto address = parse_listen_address(listen_address_, &error);
  if (!address) {
    throw std::runtime_error("listen address \"" + listen_address_ + "\" " + error);
  }
  const bool has_ipv6 = mg_check_feature(kFeatureIpv6) != 0;
  const std::string ports = to_civetweb_ports(*address, address->host.empty() && has_ipv6);
  mg_callbacks callbacks{};
  callbacks.log_message = &log_civetweb_message;
  // Every request is answered here, from the first connection on (a handler set after
  // mg_start2() leaves a moment in which the hook listens and answers 404).
  callbacks.begin_request = [](mg_connection* conn) {
    return HookServer::handle(conn, mg_get_user_data(mg_get_context(conn)));
  };
  const std::array<const char*, 9> opts = {
      "listening_ports", ports.c_str(),       "num_threads", "8",    "request_timeout_ms",
      "30000",           "enable_keep_alive", "yes",         nullptr};
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
  ctx_ = mg_start2(&init, &err);
  if (ctx_ == nullptr) {
    throw std::runtime_error("cannot listen on " + listen_address_ + ": " +
                             (text[0] != '\0' ? std::string(text.data()) : "civetweb failed"));
  }
}

void HookServer::stop() {
  if (ctx_ != nullptr) {
    mg_stop(ctx_);
    ctx_ = nullptr;
  }
}

int HookServer::port() const {
  if (ctx_ == nullptr) {
    return 0;
  }
  std::array<mg_server_port, 4> ports{};
  const int n = mg_get_server_ports(ctx_, static_cast<int>(ports.size()), ports.data());
  return n > 0 ? ports[0].port : 0;
}

int HookServer::handle(mg_connection* conn, void* cbdata) {
  auto* self = static_cast<HookServer*>(cbdata);
  const mg_request_info* info = mg_get_request_info(conn);
  HookRequest request;
  request.method = info->request_method != nullptr ? info->request_method : "";
  request.path = info->local_uri != nullptr ? info->local_uri : "/";
  request.remote = info->remote_addr;
  for (int i = 0; i < info->num_headers; ++i) {
    const mg_header& h = info->http_headers[i];
    if (h.name != nullptr) {
      request.headers[to_lower(h.name)] = h.value != nullptr ? h.value : "";
    }
  }
  if (request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    request.body = read_body(conn, info, &request.body_too_large);
  }
  Response response;
  try {
    response = self->api_.handle(request);
  } catch (const std::exception& e) {
    response = Response::text(500, std::string("500 internal server error: ") + e.what() + "\n");
  }
  write_response(conn, request.method, response);
  return response.status;
}

}  // namespace ndes::renew
