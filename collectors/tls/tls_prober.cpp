#include "tls/tls_prober.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "ndes/cert/classify.h"
#include "probe/url.h"

namespace ndes::probe {
namespace {

struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct AddrInfoDeleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

int remaining_ms(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, 24LL * 3600 * 1000));
}

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, Deadline deadline) {
  for (;;) {
    const int ms = remaining_ms(deadline);
    if (ms <= 0) {
      return false;
    }
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, ms);
    if (rc > 0) {
      return true;
    }
    if (rc == 0) {
      return false;
    }
    if (errno != EINTR) {
      return true;  // let the next call report the error
    }
  }
}

std::string openssl_error_text() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) {
    return "";
  }
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// A non-blocking connect to each resolved address in turn, within the deadline.
Socket connect_to(const HostPort& hp, Deadline deadline, ProbeOutcome& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const std::string port = std::to_string(hp.port);
  // getaddrinfo has no timeout of its own; the resolver's (resolv.conf) applies.
  if (const int rc = ::getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &raw); rc != 0) {
    out.fail(FailureReason::connect_failed,
             "cannot resolve " + hp.host + ": " + ::gai_strerror(rc));
    return Socket();
  }
  const std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
  std::string last_error = "no address";
  for (addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    Socket s(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (s.fd() < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    if (::connect(s.fd(), a->ai_addr, a->ai_addrlen) == 0) {
      return s;
    }
    if (errno != EINPROGRESS) {
      last_error = std::strerror(errno);
      continue;
    }
    if (!wait_for(s.fd(), POLLOUT, deadline)) {
      out.fail(FailureReason::timeout, "connecting to " + hp.host + ":" + port + " timed out");
      return Socket();
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) {
      return s;
    }
    last_error = std::strerror(err);
  }
  out.fail(FailureReason::connect_failed,
           "cannot connect to " + hp.host + ":" + port + ": " + last_error);
  return Socket();
}

// Trust anchors and the client certificate from the module. Empty on success.
std::string configure_context(SSL_CTX* ctx, const ProbeTlsOptions& tls) {
  // Verification runs during the handshake even with SSL_VERIFY_NONE and its result
  // is kept (SSL_get_verify_result): the handshake goes on, so an expired or
  // self-signed chain is still read and reported.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  if (!tls.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, tls.ca_file.c_str(), nullptr) != 1) {
      return "cannot load ca_file " + tls.ca_file + ": " + openssl_error_text();
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    ERR_clear_error();  // no system store: nothing verifies, which verified=0 shows
  }
  if (!tls.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
      return "cannot load cert_file " + tls.cert_file + ": " + openssl_error_text();
    }
    const std::string& key = tls.key_file.empty() ? tls.cert_file : tls.key_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return "cannot load key_file " + key + ": " + openssl_error_text();
    }
  }
  return "";
}

// What a module's files are now, so a context is rebuilt when one of them changes
// (a renewed client certificate, a new CA bundle).
std::string file_stamp(const std::string& path) {
  if (path.empty()) {
    return "-";
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return path + "@missing";
  }
  return path + "@" + std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// The module's client context, built once per module and shared by its probes:
// SSL_CTX_new with a trust store takes milliseconds in OpenSSL 3.0 (it fetches every
// algorithm), more than a whole handshake on a LAN (bench/run_macro.py: 48 ms per
// probe against blackbox_exporter's 2.4 ms before). A context is safe to share
// between threads once set up, and clients keep no session cache, so every probe
// still does a full handshake and sees the whole chain. nullptr with `problem` set
// on failure; failures are not cached, so a fixed file is picked up.
std::shared_ptr<SSL_CTX> client_context(const ProbeTlsOptions& tls, std::string& problem) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<SSL_CTX>> cache;
  const std::string key =
      file_stamp(tls.ca_file) + "|" + file_stamp(tls.cert_file) + "|" + file_stamp(tls.key_file);
  {
    const std::lock_guard lock(mutex);
    if (const auto it = cache.find(key); it != cache.end()) {
      return it->second;
    }
  }
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_client_method()), SslCtxDeleter{});
  if (!ctx) {
    problem = "SSL_CTX_new failed: " + openssl_error_text();
    return nullptr;
  }
  problem = configure_context(ctx.get(), tls);
  if (!problem.empty()) {
    return nullptr;
  }
  const std::lock_guard lock(mutex);
  if (cache.size() >= 64) {
    cache.clear();  // stale stamps of changed files; modules are few
  }
  cache.emplace(key, ctx);
  return ctx;
}

// Drives SSL_connect on the non-blocking socket until done, failed or out of time.
bool handshake(SSL* ssl, int fd, Deadline deadline, ProbeOutcome& out) {
  for (;;) {
    ERR_clear_error();
    const int rc = SSL_connect(ssl);
    if (rc == 1) {
      return true;
    }
    const int err = SSL_get_error(ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!wait_for(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
        out.fail(FailureReason::timeout, "the TLS handshake did not finish in time");
        return false;
      }
      continue;
    }
    std::string why = openssl_error_text();
    if (why.empty()) {
      why = err == SSL_ERROR_SYSCALL ? "the connection was closed during the handshake"
                                     : "SSL_connect failed (error " + std::to_string(err) + ")";
    }
    out.fail(FailureReason::tls_error, "TLS handshake failed: " + why);
    return false;
  }
}

void report_chain(SSL* ssl, const ProbeContext& context, ProbeOutcome& out) {
  // On the client side the peer chain starts with the leaf, in the order sent.
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  // Taken as OpenSSL decoded them for the handshake, not encoded and decoded again.
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    Certificate cert = certificate_from_openssl(sk_X509_value(chain, i), context.template_names);
    const Role role = i == 0 ? Role::ssl : classify(cert);
    out.add_certificate(std::move(cert), role);
  }
}

}  // namespace

std::string tls_version_label(std::string_view openssl_name) {
  if (openssl_name.starts_with("TLSv")) {
    std::string v(openssl_name.substr(4));
    return "TLS " + (v == "1" ? std::string("1.0") : v);
  }
  return std::string(openssl_name);
}

void probe_tls(const ProbeContext& context, ProbeOutcome& out) {
  const auto hp = parse_host_port(context.target, 443);
  if (!hp || hp->host.empty()) {
    out.fail(FailureReason::connect_failed, "the target is not host:port");
    return;
  }
  const ProbeTlsOptions& tls = context.module->tls;
  std::string problem;
  const std::shared_ptr<SSL_CTX> ctx = client_context(tls, problem);
  if (!ctx) {
    out.fail(FailureReason::tls_error, problem);
    return;
  }
  const Socket sock = connect_to(*hp, context.deadline, out);
  if (sock.fd() < 0) {
    return;
  }
  const std::unique_ptr<SSL, SslDeleter> ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), sock.fd()) != 1) {
    out.fail(FailureReason::tls_error, "SSL_new failed: " + openssl_error_text());
    return;
  }
  const std::string name = tls.server_name.empty() ? hp->host : tls.server_name;
  if (!is_ip_literal(name)) {
    SSL_set_tlsext_host_name(ssl.get(), name.c_str());  // SNI carries names only
    SSL_set1_host(ssl.get(), name.c_str());
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), name.c_str());
  }
  if (!handshake(ssl.get(), sock.fd(), context.deadline, out)) {
    return;
  }
  report_chain(ssl.get(), context, out);
  const long verify = SSL_get_verify_result(ssl.get());
  const bool verified = verify == X509_V_OK;
  out.add_sample("ndes_tls_verified",
                 "1 if the presented chain verified against the trust store and the name.", {},
                 verified ? 1 : 0);
  out.add_sample("ndes_tls_version_info", "The negotiated TLS version.",
                 {{"version", tls_version_label(SSL_get_version(ssl.get()))}}, 1);
  if (!verified && !tls.insecure_skip_verify) {
    out.fail(FailureReason::tls_error, std::string("certificate verification failed: ") +
                                           X509_verify_cert_error_string(verify));
  }
  // A polite close_notify; the answer does not matter.
  SSL_shutdown(ssl.get());
  ERR_clear_error();
}

}  // namespace ndes::probe
