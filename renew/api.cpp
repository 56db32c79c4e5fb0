#include "renew/api.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <exception>
#include <nlohmann/json.hpp>

#include "base/log.h"
#include "base/text.h"

namespace ndes::renew {
namespace {

using json = nlohmann::json;

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return digest;
}

Response json_response(int status, const json& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  return r;
}

Response error_response(int status, const std::string& message) {
  json body = json::object();
  body["status"] = "error";
  body["error"] = message;
  return json_response(status, body);
}

Response method_not_allowed(const std::string& allow) {
  Response r = error_response(405, "method not allowed (allowed: " + allow + ")");
  r.headers.emplace_back("Allow", allow);
  return r;
}

Response unauthorized() {
  Response r = error_response(401, "missing or wrong bearer token");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace

bool bearer_token_matches(std::string_view authorization, std::string_view expected) {
  constexpr std::string_view kScheme = "bearer ";
  std::string_view presented;
  if (authorization.size() > kScheme.size() &&
      lower(authorization.substr(0, kScheme.size())) == kScheme) {
    presented = authorization.substr(kScheme.size());
    while (!presented.empty() && presented.front() == ' ') {
      presented.remove_prefix(1);
    }
  }
  const auto a = sha256(presented);
  const auto b = sha256(expected);
  const bool same = CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
  return same && !presented.empty() && !expected.empty();
}

HookApi::HookApi(RenewalService& service, std::optional<std::string> token)
    : service_(service), token_(std::move(token)) {}

bool HookApi::authorized(const HookRequest& request) const {
  return !token_ || !request.user.empty() ||
         bearer_token_matches(request.header("authorization"), *token_);
}

Response HookApi::handle(const HookRequest& request) {
  std::string result;
  Response response;
  const std::string& path = request.path;
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (path == "/alertmanager") {
    response = webhook(request, &result);
    service_.count_webhook(result);
  } else if (path == "/renewals") {
    response = get ? renewals(request) : method_not_allowed("GET, HEAD");
  } else if (path.rfind("/renewals/", 0) == 0 && path.size() > 16 &&
             path.compare(path.size() - 6, 6, "/clear") == 0) {
    const std::string id = path.substr(10, path.size() - 16);
    response = request.method == "POST" ? clear(request, id) : method_not_allowed("POST");
  } else if (path == "/metrics") {
    if (get) {
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      response.body = service_.metrics_text();
    } else {
      response = method_not_allowed("GET, HEAD");
    }
  } else if (path == "/healthz") {
    response = get ? Response::text(200, "ok\n") : method_not_allowed("GET, HEAD");
  } else {
    response = error_response(404, "not found");
  }
  // The audit trail of every request; never a header (the token) nor the body.
  LogFields fields = {{"method", printable(request.method, 16)},
                      {"path", printable(request.path, 128)},
                      {"remote", request.remote},
                      {"status", std::to_string(response.status)}};
  if (!result.empty()) {
    fields.emplace_back("result", result);
  }
  log_info("request", fields);
  return response;
}

Response HookApi::webhook(const HookRequest& request, std::string* result) {
  if (request.method != "POST") {
    *result = "rejected";
    return method_not_allowed("POST");
  }
  if (!authorized(request)) {
    *result = "unauthorized";
    return unauthorized();
  }
  if (request.body_too_large || request.body.size() > kMaxBodyBytes) {
    *result = "too_large";
    Response r = error_response(413, "the payload is larger than 1 MiB");
    r.headers.emplace_back("Connection", "close");
    return r;
  }
  std::string error;
  const auto payload = parse_webhook_payload(request.body, &error);
  if (!payload) {
    *result = "bad_request";
    log_warn("webhook refused", {{"err", printable(error, 200)}});
    return error_response(400, error);
  }
  try {
    const IntakeSummary s = service_.intake(*payload);
    *result = "accepted";
    json body = json::object();
    body["status"] = "accepted";
    body["alerts"] = s.alerts;
    body["started"] = s.started;
    body["skipped"] = s.skipped;
    body["duplicates"] = s.duplicates + s.repeats;
    log_info("webhook accepted", {{"receiver", printable(payload->receiver)},
                                  {"group_key", printable(payload->group_key, 200)},
                                  {"alerts", std::to_string(s.alerts)},
                                  {"started", std::to_string(s.started)},
                                  {"skipped", std::to_string(s.skipped)},
                                  {"duplicates", std::to_string(s.duplicates + s.repeats)}});
    return json_response(202, body);
  } catch (const JournalWriteError& e) {
    // The hook takes no work it cannot journal. Alerts recorded before the failure
    // stand; Alertmanager sends the group again, and those are then duplicates.
    *result = "journal_unwritable";
    Response r = error_response(
        503, std::string("cannot record the alerts: ") + e.what() +
                 (e.no_space() ? " (the state directory's file system is full)" : "") +
                 "; alerts not recorded are not acted on, send them again later");
    r.headers.emplace_back("Retry-After", "60");
    return r;
  } catch (const std::exception& e) {
    *result = "rejected";
    return error_response(500, std::string("cannot record the alerts: ") + e.what());
  }
}

Response HookApi::renewals(const HookRequest& request) {
  if (!authorized(request)) {
    return unauthorized();
  }
  return json_response(200, service_.renewals_json());
}

Response HookApi::clear(const HookRequest& request, const std::string& id) {
  if (!authorized(request)) {
    return unauthorized();
  }
  json record;
  std::string why;
  try {
    switch (service_.clear(id, &record, &why)) {
      case RenewalService::ClearResult::cleared:
        return json_response(200, record);
      case RenewalService::ClearResult::not_found:
        return error_response(404, "no renewal " + printable(id));
      case RenewalService::ClearResult::not_clearable:
        return error_response(409, why);
    }
  } catch (const JournalWriteError& e) {
    Response r = error_response(503, std::string("cannot record the clear: ") + e.what());
    r.headers.emplace_back("Retry-After", "60");
    return r;
  } catch (const std::exception& e) {
    return error_response(500, e.what());
  }
  return error_response(500, "unreachable");
}

}  // namespace ndes::renew
