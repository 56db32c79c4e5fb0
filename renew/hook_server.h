// civetweb glue for the hook: every method reaches HookApi, with the request body read
// up to kMaxBodyBytes. exporter/http_server.h's HttpServer serves GET and HEAD only and
// never reads a body, so the hook has this small server of its own; it reuses the
// exporter's listen-address parsing and Request/Response values.
#pragma once

#include <string>

#include "renew/api.h"

struct mg_context;
struct mg_connection;

namespace ndes::renew {

class HookServer {
 public:
  HookServer(HookApi& api, std::string listen_address);
  ~HookServer();
  HookServer(const HookServer&) = delete;
  HookServer& operator=(const HookServer&) = delete;

  // Binds and serves; throws std::runtime_error with the reason when it cannot.
  void start();
  void stop();
  int port() const;

 private:
  static int handle(mg_connection* conn, void* cbdata);

  HookApi& api_;
  std::string listen_address_;
  mg_context* ctx_ = nullptr;
};

}  // namespace ndes::renew
