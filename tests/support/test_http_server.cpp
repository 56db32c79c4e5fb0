#include "support/test_http_server.h"

#include <civetweb.h>

#include <array>
#include <stdexcept>

namespace ndes::test {

TestHttpServer::TestHttpServer() {
  // Enough threads that a few hanging requests do not block the rest.
  const std::array<const char*, 7> options = {
      "listening_ports", "127.0.0.1:0", "num_threads", "16", "enable_keep_alive", "no", nullptr};
  mg_callbacks callbacks{};
  ctx_ = mg_start(&callbacks, this, const_cast<const char**>(options.data()));
  if (ctx_ == nullptr) {
    throw std::runtime_error("civetweb test server did not start");
  }
  std::array<mg_server_port, 2> ports{};
  if (mg_get_server_ports(ctx_, static_cast<int>(ports.size()), ports.data()) < 1) {
    mg_stop(ctx_);
    throw std::runtime_error("civetweb test server has no port");
  }
  port_ = ports[0].port;
  mg_set_request_handler(ctx_, "/", &TestHttpServer::handle, this);
}

TestHttpServer::~TestHttpServer() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopped_cv_.notify_all();  // hanging handlers return, so mg_stop can join them
  mg_stop(ctx_);
}

void TestHttpServer::on(const std::string& path, Handler handler) {
  const std::lock_guard lock(mutex_);
  handlers_[path] = std::move(handler);
}

void TestHttpServer::on(const std::string& path, const TestResponse& response) {
  on(path, [response](const std::string&, const std::string&) { return response; });
}

std::string TestHttpServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<SeenRequest> TestHttpServer::requests() const {
  const std::lock_guard lock(mutex_);
  return seen_;
}

void TestHttpServer::wait_until_stopped() {
  std::unique_lock lock(mutex_);
  stopped_cv_.wait(lock, [this] { return stopping_; });
}

int TestHttpServer::handle(mg_connection* conn, void* cbdata) {
  auto* self = static_cast<TestHttpServer*>(cbdata);
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string path = info->local_uri_raw != nullptr ? info->local_uri_raw : "";
  const std::string query = info->query_string != nullptr ? info->query_string : "";
  Handler handler;
  {
    const std::lock_guard lock(self->mutex_);
    self->seen_.push_back(SeenRequest{path, query});
    if (auto it = self->handlers_.find(path); it != self->handlers_.end()) {
      handler = it->second;
    }
  }
  TestResponse response;
  if (handler) {
    response = handler(path, query);
  } else {
    response.status = 404;
    response.content_type = "text/plain";
    response.body = "not found\n";
  }
  if (response.hang) {
    self->wait_until_stopped();
    return 1;
  }
  mg_response_header_start(conn, response.status);
  if (response.content_type) {
    mg_response_header_add(conn, "Content-Type", response.content_type->c_str(), -1);
  }
  if (response.send_length) {
    const std::string length = std::to_string(response.body.size() * response.repeat);
    mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  } else {
    mg_response_header_add(conn, "Connection", "close", -1);
  }
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  for (std::size_t i = 0; i < response.repeat && !response.body.empty(); ++i) {
    if (mg_write(conn, response.body.data(), response.body.size()) <= 0) {
      break;  // the client hung up (as a probe does past its body cap)
    }
  }
  return response.status;
}

}  // namespace ndes::test
