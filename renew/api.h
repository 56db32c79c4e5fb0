// The hook's HTTP API, without sockets: a request value in, a response value out.
//   POST /alertmanager              the Alertmanager webhook (v4): 202, 400, 401, 405, 413
//   GET  /renewals                  the renewal records as JSON (authenticated)
//   POST /renewals/<id>/clear       clear an interrupted or failed renewal (authenticated)
//   GET  /metrics, GET /healthz     unauthenticated, for Prometheus and probes
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "renew/renewal_service.h"
#include "web/http_server.h"

namespace ndes::renew {

// Webhook bodies above this are refused with 413.
inline constexpr std::size_t kMaxBodyBytes = std::size_t{1024} * 1024;

// The request as the shared web server gives it (web/http_server.h).
using HookRequest = ndes::Request;

// True when `authorization` is "Bearer <expected>" (scheme in any case). The tokens
// are compared as SHA-256 digests with CRYPTO_memcmp: the time taken tells nothing of
// how much of a guess was right, nor of the token's length.
bool bearer_token_matches(std::string_view authorization, std::string_view expected);

class HookApi {
 public:
  // `token` unset: no authentication (--web.insecure-no-auth). A request whose basic
  // auth passed the web config (Request::user) counts as authenticated too.
  HookApi(RenewalService& service, std::optional<std::string> token);

  Response handle(const HookRequest& request);

 private:
  Response webhook(const HookRequest& request, std::string* result);
  Response renewals(const HookRequest& request);
  Response clear(const HookRequest& request, const std::string& id);
  bool authorized(const HookRequest& request) const;

  RenewalService& service_;
  std::optional<std::string> token_;
};

}  // namespace ndes::renew
