// An OpenSSL server context from a web config's tls_server_config: certificate chain
// and key, protocol versions, client certificates. civetweb's own (coarser) ssl_*
// options are unused: each new connection is switched to the newest of our contexts
// in its ClientHello callback, so a reloaded web config (or a renewed certificate)
// takes effect without a restart.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "web/web_config.h"

struct ssl_ctx_st;
struct ssl_st;
using SSL_CTX = ssl_ctx_st;

namespace ndes::web {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const;
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

// Builds the context; on failure returns nullptr and sets *error to one line naming
// the file and the reason ("cert_file /etc/x.crt: No such file or directory").
SslCtxPtr build_tls_context(const TlsServerConfig& tls, std::string* error);

// The context new connections get. civetweb makes the SSL_CTX its listener uses
// (it loads libssl itself); attach() gives that one a ClientHello callback that moves
// each connection to current(), so our contexts serve every handshake.
class TlsContextSwitch {
 public:
  explicit TlsContextSwitch(SslCtxPtr first);
  TlsContextSwitch(const TlsContextSwitch&) = delete;
  TlsContextSwitch& operator=(const TlsContextSwitch&) = delete;

  void attach(SSL_CTX* listener);
  void replace(SslCtxPtr next);

 private:
  static int on_client_hello(::ssl_st* ssl, int* alert, void* arg);

  mutable std::mutex mu_;
  std::shared_ptr<SSL_CTX> current_;
};

}  // namespace ndes::web
