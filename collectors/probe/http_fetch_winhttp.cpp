// http_get for the Windows build, over WinHTTP (http_fetch.h says what it promises).
//
// Why WinHTTP and not libcurl, as on Linux: WinHTTP ships with Windows and with
// mingw-w64 (winhttp.h, libwinhttp.a), and TLS goes through Schannel with the
// Windows trust store, which is where an NDES administrator keeps the enterprise
// CA. A cross-built libcurl would add a TLS library and its build to the cold
// Windows-dependencies build of CI (cmake/windows-deps), for what Windows already has.
//
// What differs from libcurl, said where it matters below:
// - Redirects are followed here, one request per hop (at most kMaxRedirects), so
//   every hop gets the deadline's remaining time and the certificate checks.
// - server_name: the Host header and the name the certificate must carry; the TLS
//   SNI stays the URL's host (WinHTTP has no CURLOPT_CONNECT_TO).
// - ca_file: the chain is checked against it after the handshake, before the
//   answer is read (the GET with its headers has been sent by then).
// - cert_file / key_file (client certificates from PEM files) are refused with a
//   clear tls_error: WinHTTP takes a client certificate only from a store.
//
// WinHTTP reference: https://learn.microsoft.com/en-us/windows/win32/winhttp/winhttp-functions
// (WinHttpOpen, WinHttpConnect, WinHttpOpenRequest, WinHttpSetTimeouts,
// WinHttpSendRequest, WinHttpReceiveResponse, WinHttpQueryHeaders, WinHttpReadData),
// the flags: "Option Flags" (learn.microsoft.com/en-us/windows/win32/winhttp/option-flags),
// the errors: "Error Messages (Winhttp.h)"
// (learn.microsoft.com/en-us/windows/win32/winhttp/error-messages).
// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <winhttp.h>
// clang-format on

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/win/error_text.h"
#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "probe/http_fetch.h"

namespace ndes::probe {
namespace {

struct InternetTraits : win::NonNullTraits<HINTERNET> {
  static void close(HINTERNET h) { WinHttpCloseHandle(h); }
};
using InternetHandle = win::UniqueHandle<HINTERNET, InternetTraits>;
struct StoreTraits : win::NonNullTraits<HCERTSTORE> {
  static void close(HCERTSTORE h) { CertCloseStore(h, 0); }
};
using StoreHandle = win::UniqueHandle<HCERTSTORE, StoreTraits>;
struct CertTraits : win::NonNullTraits<PCCERT_CONTEXT> {
  static void close(PCCERT_CONTEXT c) { CertFreeCertificateContext(c); }
};
using CertHandle = win::UniqueHandle<PCCERT_CONTEXT, CertTraits>;
struct ChainTraits : win::NonNullTraits<PCCERT_CHAIN_CONTEXT> {
  static void close(PCCERT_CHAIN_CONTEXT c) { CertFreeCertificateChain(c); }
};
using ChainHandle = win::UniqueHandle<PCCERT_CHAIN_CONTEXT, ChainTraits>;

// What went wrong in one step; nullopt from a step means it went well.
struct Failure {
  FailureReason reason;
  std::string detail;
};
using Outcome = std::optional<Failure>;

// The WinHTTP errors a fetch meets, their names (FormatMessage knows them only
// from winhttp.dll's resources) and the reason the libcurl path gives for the
// same trouble (failure.cpp, classify_curl_error).
struct KnownError {
  DWORD code;
  const char* name;
  FailureReason reason;
};
constexpr std::array kKnownErrors = {
    KnownError{ERROR_WINHTTP_TIMEOUT, "the operation timed out", FailureReason::timeout},
    KnownError{ERROR_WINHTTP_NAME_NOT_RESOLVED, "the server name could not be resolved",
               FailureReason::connect_failed},
    KnownError{ERROR_WINHTTP_CANNOT_CONNECT, "cannot connect to the server",
               FailureReason::connect_failed},
    KnownError{ERROR_WINHTTP_CONNECTION_ERROR, "the connection was reset or closed",
               FailureReason::connect_failed},
    KnownError{ERROR_WINHTTP_INVALID_URL, "the URL is invalid", FailureReason::connect_failed},
    KnownError{ERROR_WINHTTP_UNRECOGNIZED_SCHEME, "the URL's scheme is not http or https",
               FailureReason::connect_failed},
    KnownError{ERROR_WINHTTP_INVALID_SERVER_RESPONSE, "the server's answer is not HTTP",
               FailureReason::bad_content},
    KnownError{ERROR_WINHTTP_HEADER_SIZE_OVERFLOW, "the answer's headers are too large",
               FailureReason::bad_content},
    KnownError{ERROR_WINHTTP_REDIRECT_FAILED, "the redirect failed", FailureReason::http_status},
    KnownError{ERROR_WINHTTP_SECURE_FAILURE, "the server's certificate is not trusted",
               FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_SECURE_CERT_DATE_INVALID,
               "the server's certificate is expired or not yet valid", FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_SECURE_CERT_CN_INVALID,
               "the server's certificate does not name this host", FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_SECURE_INVALID_CA,
               "the server's certificate is issued by an untrusted CA", FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_SECURE_CERT_REV_FAILED,
               "the revocation of the server's certificate could not be checked",
               FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_SECURE_CERT_REVOKED, "the server's certificate is revoked",
               FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_SECURE_INVALID_CERT, "the server's certificate is invalid",
               FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE,
               "the server's certificate is not for server authentication",
               FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_SECURE_CHANNEL_ERROR, "the TLS handshake failed",
               FailureReason::tls_error},
    KnownError{ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED, "the server asks for a client certificate",
               FailureReason::tls_error},
};

// "the operation timed out (WinHTTP error 12002)"; a non-WinHTTP code (a socket
// error) in the system's words.
Failure winhttp_failure(DWORD code, const std::string& what) {
  for (const KnownError& e : kKnownErrors) {
    if (e.code == code) {
      return {e.reason, what + ": " + e.name + " (WinHTTP error " + std::to_string(code) + ")"};
    }
  }
  return {FailureReason::connect_failed, what + ": " + win::numbered_error_text(code)};
}
Failure last_failure(const std::string& what) { return winhttp_failure(GetLastError(), what); }

int remaining_ms(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, 0x7fffffff));
}

// WinHTTP's time-outs apply to each step, not to the request: each step gets
// what is left of the deadline (0 would mean "no limit", so it never gets 0).
// The wait for the answer's headers has a time-out of its own, 90 s by default,
// that WinHttpSetTimeouts does not set ("Option Flags",
// WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT).
Outcome limit_to_deadline(HINTERNET request, Deadline deadline) {
  const int ms = remaining_ms(deadline);
  if (ms <= 0) {
    return Failure{FailureReason::timeout, "no time left before the probe's deadline"};
  }
  DWORD response_ms = static_cast<DWORD>(ms);
  if (!WinHttpSetTimeouts(request, ms, ms, ms, ms) ||
      !WinHttpSetOption(request, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &response_ms,
                        sizeof(response_ms))) {
    return last_failure("setting the time-outs");
  }
  return std::nullopt;
}

Outcome too_large(std::size_t cap) {
  return Failure{FailureReason::too_large,
                 "the answer is larger than max_body_bytes (" + std::to_string(cap) + " bytes)"};
}

// The trust anchors of ca_file (PEM, one or more certificates; or one DER), in a
// memory store. Bounded like the files the exporter reads.
constexpr std::size_t kMaxCaFileBytes = std::size_t{4} * 1024 * 1024;
constexpr int kMaxCaCertificates = 1000;

// The file's bytes; nullopt when it cannot be read or is larger than the bound.
std::optional<std::string> read_small_file(const std::string& path, std::string& why) {
  const std::filesystem::path file(win::widen(path));
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    why = "cannot be read: " + ec.message();
    return std::nullopt;
  }
  if (size > kMaxCaFileBytes) {
    why = "larger than " + std::to_string(kMaxCaFileBytes) + " bytes";
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  std::string text(static_cast<std::size_t>(size), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    why = "cannot be read";
    return std::nullopt;
  }
  return text;
}

bool add_encoded(HCERTSTORE store, const BYTE* der, DWORD size) {
  return CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, der, size,
                                          CERT_STORE_ADD_ALWAYS, nullptr) != FALSE;
}

Outcome load_ca_file(const std::string& path, StoreHandle& store) {
  const auto fail = [&](const std::string& why) {
    return Failure{FailureReason::tls_error, "ca_file " + path + ": " + why};
  };
  std::string why;
  const auto text = read_small_file(path, why);
  if (!text) {
    return fail(why);
  }
  store.reset(CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, nullptr));
  if (!store) {
    return fail(win::last_error_text());
  }
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  int count = 0;
  for (std::size_t at = text->find(kBegin); at != std::string::npos && count < kMaxCaCertificates;
       at = text->find(kBegin, at + 1)) {
    const std::size_t end = text->find(kEnd, at);
    if (end == std::string::npos) {
      return fail("a PEM certificate has no END line");
    }
    const std::string_view block(text->data() + at, end + kEnd.size() - at);
    DWORD size = 0;
    if (!CryptStringToBinaryA(block.data(), static_cast<DWORD>(block.size()),
                              CRYPT_STRING_BASE64HEADER, nullptr, &size, nullptr, nullptr)) {
      return fail("a PEM certificate is not valid base64");
    }
    std::vector<BYTE> der(size);
    if (!CryptStringToBinaryA(block.data(), static_cast<DWORD>(block.size()),
                              CRYPT_STRING_BASE64HEADER, der.data(), &size, nullptr, nullptr) ||
        !add_encoded(store.get(), der.data(), size)) {
      return fail("a PEM certificate cannot be read: " + win::last_error_text());
    }
    ++count;
  }
  if (count == 0 && !add_encoded(store.get(), reinterpret_cast<const BYTE*>(text->data()),
                                 static_cast<DWORD>(text->size()))) {
    return fail("holds no PEM or DER certificate");
  }
  return std::nullopt;
}

// The checks Schannel was told to skip (verify_flags), done here on the server's
// chain: the name (server_name, else the URL's host) and, with a ca_file, a root
// from that file. "CertVerifyCertificateChainPolicy function" with
// CERT_CHAIN_POLICY_SSL (learn.microsoft.com/en-us/windows/win32/api/wincrypt/
// nf-wincrypt-certverifycertificatechainpolicy).
Outcome verify_peer(HINTERNET request, const std::string& name, HCERTSTORE anchors) {
  CertHandle cert;
  {
    PCCERT_CONTEXT raw = nullptr;
    DWORD size = sizeof(raw);
    if (!WinHttpQueryOption(request, WINHTTP_OPTION_SERVER_CERT_CONTEXT, &raw, &size) ||
        raw == nullptr) {
      return last_failure("cannot read the server's certificate");
    }
    cert.reset(raw);
  }
  // The certificates the server sent, and the anchors, to build the chain from.
  const StoreHandle pool(
      CertOpenStore(CERT_STORE_PROV_COLLECTION, 0, 0, CERT_STORE_CREATE_NEW_FLAG, nullptr));
  if (!pool || !CertAddStoreToCollection(pool.get(), cert.get()->hCertStore, 0, 0) ||
      (anchors != nullptr && !CertAddStoreToCollection(pool.get(), anchors, 0, 0))) {
    return Failure{FailureReason::tls_error,
                   "cannot collect the server's chain: " + win::last_error_text()};
  }
  CERT_CHAIN_PARA chain_para{};
  chain_para.cbSize = sizeof(chain_para);
  ChainHandle chain;
  if (!CertGetCertificateChain(nullptr, cert.get(), nullptr, pool.get(), &chain_para, 0, nullptr,
                               chain.out())) {
    return Failure{FailureReason::tls_error,
                   "cannot build the server's chain: " + win::last_error_text()};
  }
  std::wstring wide_name = win::widen(name);
  SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl{};
  ssl.cbSize = sizeof(ssl);
  ssl.dwAuthType = AUTHTYPE_SERVER;
  ssl.fdwChecks = anchors != nullptr ? SECURITY_FLAG_IGNORE_UNKNOWN_CA : 0;
  ssl.pwszServerName = wide_name.data();
  CERT_CHAIN_POLICY_PARA policy{};
  policy.cbSize = sizeof(policy);
  policy.pvExtraPolicyPara = &ssl;
  CERT_CHAIN_POLICY_STATUS status{};
  status.cbSize = sizeof(status);
  if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain.get(), &policy, &status)) {
    status.dwError = GetLastError();
  }
  if (status.dwError != 0) {
    return Failure{FailureReason::tls_error, "the server's certificate fails for " + name + ": " +
                                                 win::error_text(status.dwError)};
  }
  if (anchors != nullptr) {
    const CERT_SIMPLE_CHAIN* simple = chain.get()->rgpChain[0];
    PCCERT_CONTEXT root = simple->rgpElement[simple->cElement - 1]->pCertContext;
    const CertHandle found(CertFindCertificateInStore(anchors, X509_ASN_ENCODING, 0,
                                                      CERT_FIND_EXISTING, root, nullptr));
    if (!found) {
      return Failure{FailureReason::tls_error,
                     "the server's certificate is not issued by a CA of ca_file"};
    }
  }
  return std::nullopt;
}

std::optional<std::wstring> query_text(HINTERNET request, DWORD what) {
  DWORD size = 0;
  WinHttpQueryHeaders(request, what, WINHTTP_HEADER_NAME_BY_INDEX, nullptr, &size,
                      WINHTTP_NO_HEADER_INDEX);
  if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || size == 0) {
    return std::nullopt;
  }
  std::wstring text(size / sizeof(wchar_t), L'\0');
  if (!WinHttpQueryHeaders(request, what, WINHTTP_HEADER_NAME_BY_INDEX, text.data(), &size,
                           WINHTTP_NO_HEADER_INDEX)) {
    return std::nullopt;
  }
  text.resize(size / sizeof(wchar_t));
  return text;
}

std::optional<DWORD> query_number(HINTERNET request, DWORD what) {
  DWORD value = 0;
  DWORD size = sizeof(value);
  if (!WinHttpQueryHeaders(request, what | WINHTTP_QUERY_FLAG_NUMBER, WINHTTP_HEADER_NAME_BY_INDEX,
                           &value, &size, WINHTTP_NO_HEADER_INDEX)) {
    return std::nullopt;
  }
  return value;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// An absolute http(s) URL in WinHTTP's pieces ("WinHttpCrackUrl function",
// learn.microsoft.com/en-us/windows/win32/api/winhttp/nf-winhttp-winhttpcrackurl).
struct Target {
  bool https = false;
  std::wstring host;
  INTERNET_PORT port = 0;
  std::wstring path;  // with the query; "/" at least
  std::string host_for_messages() const { return win::narrow(host) + ":" + std::to_string(port); }
};

std::optional<Target> crack(const std::string& url) {
  const std::wstring wide = win::widen(url);
  URL_COMPONENTS parts{};
  parts.dwStructSize = sizeof(parts);
  parts.dwHostNameLength = static_cast<DWORD>(-1);
  parts.dwUrlPathLength = static_cast<DWORD>(-1);
  parts.dwExtraInfoLength = static_cast<DWORD>(-1);
  parts.dwSchemeLength = static_cast<DWORD>(-1);
  if (!WinHttpCrackUrl(wide.c_str(), static_cast<DWORD>(wide.size()), 0, &parts) ||
      (parts.nScheme != INTERNET_SCHEME_HTTP && parts.nScheme != INTERNET_SCHEME_HTTPS) ||
      parts.dwHostNameLength == 0) {
    return std::nullopt;
  }
  Target t;
  t.https = parts.nScheme == INTERNET_SCHEME_HTTPS;
  t.host.assign(parts.lpszHostName, parts.dwHostNameLength);
  t.port = parts.nPort;
  t.path.assign(parts.lpszUrlPath, parts.dwUrlPathLength);
  // The fragment stays with the client, as with libcurl.
  std::wstring extra(parts.lpszExtraInfo, parts.dwExtraInfoLength);
  t.path += extra.substr(0, extra.find(L'#'));
  if (t.path.empty() || t.path.front() != L'/') {
    t.path.insert(0, L"/");
  }
  return t;
}

// A Location header made absolute against the URL that sent it (RFC 9110 10.2.2,
// RFC 3986 5.2 without dot-segment removal, which the server does anyway).
std::string resolve_location(const std::string& base, const std::string& location) {
  const auto scheme_end = base.find("://");
  if (location.find("://") != std::string::npos || scheme_end == std::string::npos) {
    return location;
  }
  if (location.starts_with("//")) {
    return base.substr(0, scheme_end + 1) + location;
  }
  const auto path_start = base.find('/', scheme_end + 3);
  const std::string origin = base.substr(0, path_start);
  if (location.starts_with("/")) {
    return origin + location;
  }
  const std::string path =
      path_start == std::string::npos
          ? "/"
          : base.substr(path_start, base.find_first_of("?#", path_start) - path_start);
  return origin + path.substr(0, path.rfind('/') + 1) + location;
}

struct Client {
  const HttpFetchOptions& options;
  HINTERNET session;
  HCERTSTORE anchors;  // ca_file, or null
  HttpFetchResult& result;

  // Schannel's own checks, less what verify_peer does instead.
  DWORD security_flags() const {
    if (options.tls.insecure_skip_verify) {
      return SECURITY_FLAG_IGNORE_UNKNOWN_CA | SECURITY_FLAG_IGNORE_CERT_DATE_INVALID |
             SECURITY_FLAG_IGNORE_CERT_CN_INVALID | SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE;
    }
    DWORD flags = 0;
    if (anchors != nullptr) {
      flags |= SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    }
    if (!options.tls.server_name.empty()) {
      flags |= SECURITY_FLAG_IGNORE_CERT_CN_INVALID;
    }
    return flags;
  }

  Outcome add_headers(HINTERNET request, const Target& target) const {
    std::wstring lines;
    if (!options.tls.server_name.empty()) {
      lines += L"Host: " + win::widen(options.tls.server_name);
      if (target.port !=
          (target.https ? INTERNET_DEFAULT_HTTPS_PORT : INTERNET_DEFAULT_HTTP_PORT)) {
        lines += L":" + std::to_wstring(target.port);
      }
      lines += L"\r\n";
    }
    for (const auto& [name, value] : options.headers) {
      lines += win::widen(name) + L": " + win::widen(value) + L"\r\n";
    }
    if (!lines.empty() &&
        !WinHttpAddRequestHeaders(request, lines.c_str(), static_cast<DWORD>(lines.size()),
                                  WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE)) {
      return last_failure("the request headers are not accepted");
    }
    return std::nullopt;
  }

  Outcome read_body(HINTERNET request) const {
    if (auto length = query_number(request, WINHTTP_QUERY_CONTENT_LENGTH);
        length && *length > options.max_body_bytes) {
      return too_large(options.max_body_bytes);
    }
    std::array<char, 64 * 1024> buffer{};
    for (;;) {
      if (auto late = limit_to_deadline(request, options.deadline)) {
        return late;
      }
      DWORD got = 0;
      if (!WinHttpReadData(request, buffer.data(), static_cast<DWORD>(buffer.size()), &got)) {
        return last_failure("reading the answer");
      }
      if (got == 0) {
        return std::nullopt;
      }
      if (result.body.size() + got > options.max_body_bytes) {
        return too_large(options.max_body_bytes);
      }
      result.body.insert(result.body.end(), buffer.data(), buffer.data() + got);
    }
  }

  // One request; the next URL when the answer is a redirect.
  Outcome fetch(const std::string& url, std::optional<std::string>& next) const {
    const auto target = crack(url);
    if (!target) {
      return Failure{FailureReason::connect_failed, "not an absolute http(s) URL: " + url};
    }
    const InternetHandle connect(WinHttpConnect(session, target->host.c_str(), target->port, 0));
    if (!connect) {
      return last_failure("WinHttpConnect " + target->host_for_messages());
    }
    const bool https = target->https;
    const InternetHandle request(
        WinHttpOpenRequest(connect.get(), L"GET", target->path.c_str(), nullptr, WINHTTP_NO_REFERER,
                           WINHTTP_DEFAULT_ACCEPT_TYPES, https ? WINHTTP_FLAG_SECURE : 0));
    if (!request) {
      return last_failure("WinHttpOpenRequest");
    }
    DWORD never = WINHTTP_OPTION_REDIRECT_POLICY_NEVER;  // we follow them (see the top)
    WinHttpSetOption(request.get(), WINHTTP_OPTION_REDIRECT_POLICY, &never, sizeof(never));
    if (DWORD flags = security_flags();
        https && flags != 0 &&
        !WinHttpSetOption(request.get(), WINHTTP_OPTION_SECURITY_FLAGS, &flags, sizeof(flags))) {
      return last_failure("setting the TLS options");
    }
    if (auto bad = add_headers(request.get(), *target)) {
      return bad;
    }
    if (auto late = limit_to_deadline(request.get(), options.deadline)) {
      return late;
    }
    if (!WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0,
                            WINHTTP_NO_REQUEST_DATA, 0, 0, 0)) {
      return last_failure("sending the request to " + target->host_for_messages());
    }
    if (https && !options.tls.insecure_skip_verify &&
        (anchors != nullptr || !options.tls.server_name.empty())) {
      const std::string name =
          options.tls.server_name.empty() ? win::narrow(target->host) : options.tls.server_name;
      if (auto untrusted = verify_peer(request.get(), name, anchors)) {
        return untrusted;
      }
    }
    if (auto late = limit_to_deadline(request.get(), options.deadline)) {
      return late;
    }
    if (!WinHttpReceiveResponse(request.get(), nullptr)) {
      return last_failure("waiting for the answer of " + target->host_for_messages());
    }
    result.status =
        static_cast<long>(query_number(request.get(), WINHTTP_QUERY_STATUS_CODE).value_or(0));
    result.content_type =
        win::narrow(query_text(request.get(), WINHTTP_QUERY_CONTENT_TYPE).value_or(L""));
    result.body.clear();
    if (is_redirect(result.status)) {
      if (auto location = query_text(request.get(), WINHTTP_QUERY_LOCATION)) {
        next = resolve_location(url, win::narrow(*location));
        return std::nullopt;
      }
    }
    return read_body(request.get());
  }
};

// "" -> no proxy at all (the environment and the system's setting are ignored, as
// on Linux); "http://proxy:3128" -> "proxy:3128", WinHTTP's form.
std::optional<std::wstring> proxy_name(const std::string& proxy_url) {
  if (proxy_url.empty()) {
    return std::wstring();
  }
  const auto proxy =
      crack(proxy_url.find("://") == std::string::npos ? "http://" + proxy_url : proxy_url);
  if (!proxy) {
    return std::nullopt;
  }
  return proxy->host + L":" + std::to_wstring(proxy->port);
}

}  // namespace

HttpFetchResult http_get(const std::string& url, const HttpFetchOptions& options) {
  HttpFetchResult result;
  result.effective_url = url;
  const auto fail = [&result](const Failure& f) {
    result.failure = f.reason;
    result.detail = f.detail;
    return result;
  };
  if (!options.tls.cert_file.empty() || !options.tls.key_file.empty()) {
    return fail({FailureReason::tls_error,
                 "client certificates (cert_file, key_file) are not supported by the Windows "
                 "build's HTTP client (WinHTTP takes them only from a certificate store)"});
  }
  if (remaining_ms(options.deadline) <= 0) {
    return fail({FailureReason::timeout, "no time left before the probe's deadline"});
  }
  StoreHandle anchors;
  if (!options.tls.ca_file.empty() && !options.tls.insecure_skip_verify) {
    if (auto bad = load_ca_file(options.tls.ca_file, anchors)) {
      return fail(*bad);
    }
  }
  const auto proxy = proxy_name(options.proxy_url);
  if (!proxy) {
    return fail({FailureReason::connect_failed,
                 "proxy_url is not host:port or an http URL: " + options.proxy_url});
  }
  const InternetHandle session(WinHttpOpen(
      L"ndes_exporter",
      proxy->empty() ? WINHTTP_ACCESS_TYPE_NO_PROXY : WINHTTP_ACCESS_TYPE_NAMED_PROXY,
      proxy->empty() ? WINHTTP_NO_PROXY_NAME : proxy->c_str(), WINHTTP_NO_PROXY_BYPASS, 0));
  if (!session) {
    return fail(last_failure("WinHttpOpen"));
  }
  const Client client{options, session.get(), anchors.get(), result};
  for (long hop = 0;; ++hop) {
    std::optional<std::string> next;
    if (auto bad = client.fetch(result.effective_url, next)) {
      return fail(*bad);
    }
    if (!next) {
      return result;
    }
    if (hop == kMaxRedirects) {
      return fail({FailureReason::http_status, "more than " + std::to_string(kMaxRedirects) +
                                                   " redirects (a redirect loop?), last at " +
                                                   result.effective_url});
    }
    result.effective_url = *next;
  }
}

}  // namespace ndes::probe
