#include "web/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509err.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ndes::web {
namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    text = buf;
  }
  ERR_clear_error();
  return text;
}

// "cert_file /x.crt: No such file or directory": said before OpenSSL's less readable
// reason for the same problem.
bool readable(const char* what, const std::string& path, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = std::string(what) + " " + path + ": " + std::strerror(errno);
    return false;
  }
  std::fclose(f);
  return true;
}

// civetweb's listener context has an SNI callback that moves the connection back to
// civetweb's own context (no certificate). OpenSSL asks the connection's current
// context first, so ours answers: one certificate for every name.
int ignore_server_name(SSL* /*ssl*/, int* /*alert*/, void* /*arg*/) { return SSL_TLSEXT_ERR_NOACK; }

// RequestClientCert and RequireAnyClientCert take any certificate, unverified.
int accept_any(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

}  // namespace

void SslCtxDeleter::operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }

SslCtxPtr build_tls_context(const TlsServerConfig& tls, std::string* error) {
  ERR_clear_error();
  if (!readable("cert_file", tls.cert_file, error) || !readable("key_file", tls.key_file, error) ||
      (!tls.client_ca_file.empty() && !readable("client_ca_file", tls.client_ca_file, error))) {
    return nullptr;
  }
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    *error = "cannot create a TLS context: " + openssl_reason();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), tls.min_version != 0 ? tls.min_version : TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), tls.max_version);  // 0: the highest there is
  if (tls.min_version != 0 && tls.min_version < TLS1_2_VERSION) {
    // OpenSSL 3's default security level refuses TLS 1.0/1.1 handshakes (SHA-1
    // signatures); whoever asks for TLS10 explicitly wants them to work.
    SSL_CTX_set_security_level(ctx.get(), 0);
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (tls.prefer_server_cipher_suites) {
    SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), tls.cert_file.c_str()) != 1) {
    *error = "cert_file " + tls.cert_file + ": not a PEM certificate (" + openssl_reason() + ")";
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      *error = "key_file " + tls.key_file + ": does not match cert_file " + tls.cert_file;
      return nullptr;
    }
    *error = "key_file " + tls.key_file + ": not a PEM private key (" + openssl_reason() + ")";
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    *error = "key_file " + tls.key_file + ": does not match cert_file " + tls.cert_file;
    ERR_clear_error();
    return nullptr;
  }
  if (!tls.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), tls.client_ca_file.c_str(), nullptr) != 1) {
      *error = "client_ca_file " + tls.client_ca_file + ": no PEM certificates (" +
               openssl_reason() + ")";
      return nullptr;
    }
    // The CA names sent in the CertificateRequest, so clients pick the right cert.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
    if (names != nullptr) {
      SSL_CTX_set_client_CA_list(ctx.get(), names);
    }
  }
  switch (tls.client_auth) {
    case ClientAuth::none:
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::request:
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, accept_any);
      break;
    case ClientAuth::require_any:
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
      break;
    case ClientAuth::verify_if_given:
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::require_and_verify:
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  SSL_CTX_set_tlsext_servername_callback(ctx.get(), ignore_server_name);
  // Sessions are resumable only against the same context (and so the same config).
  static const unsigned char kSessionId[] = "ndes-web";
  SSL_CTX_set_session_id_context(ctx.get(), kSessionId, sizeof kSessionId - 1);
  ERR_clear_error();
  return ctx;
}

TlsContextSwitch::TlsContextSwitch(SslCtxPtr first) : current_(first.release(), SslCtxDeleter()) {}

void TlsContextSwitch::attach(SSL_CTX* listener) {
  SSL_CTX_set_client_hello_cb(listener, &TlsContextSwitch::on_client_hello, this);
}

void TlsContextSwitch::replace(SslCtxPtr next) {
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::shared_ptr<SSL_CTX>(next.release(), SslCtxDeleter());
}

// Runs before the version is chosen and the certificate is picked, so the new
// context's versions, certificate, key, CA list and verify mode all apply.
int TlsContextSwitch::on_client_hello(SSL* ssl, int* /*alert*/, void* arg) {
  auto* self = static_cast<TlsContextSwitch*>(arg);
  std::shared_ptr<SSL_CTX> current;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    current = self->current_;
  }
  SSL_CTX* ctx = current.get();
  if (ctx == SSL_get_SSL_CTX(ssl)) {
    return SSL_CLIENT_HELLO_SUCCESS;
  }
  SSL_set_SSL_CTX(ssl, ctx);  // the certificate, key and verify store (SSL_up_refs ctx)
  SSL_set_min_proto_version(ssl, SSL_CTX_get_min_proto_version(ctx));
  SSL_set_max_proto_version(ssl, SSL_CTX_get_max_proto_version(ctx));
  SSL_set_security_level(ssl, SSL_CTX_get_security_level(ctx));
  // civetweb's listener context has options of its own (SSL_OP_NO_TLSv1...): ours only.
  SSL_clear_options(ssl, SSL_get_options(ssl));
  SSL_set_options(ssl, SSL_CTX_get_options(ctx));
  SSL_set_verify(ssl, SSL_CTX_get_verify_mode(ctx), SSL_CTX_get_verify_callback(ctx));
  SSL_set_client_CA_list(ssl, SSL_dup_CA_list(SSL_CTX_get_client_CA_list(ctx)));
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace ndes::web
