// The Alertmanager webhook payload (version 4), parsed into plain values. Pure: the
// bytes of a request body in, a payload or one line saying what is wrong out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndes::renew {

struct Alert {
  std::string status;  // "firing" or "resolved"
  std::map<std::string, std::string> labels;
  std::string starts_at;    // as Alertmanager sent it (RFC 3339)
  std::string ends_at;      // "0001-01-01T00:00:00Z" while firing
  std::string fingerprint;  // Alertmanager's hash of the label set; stable across retries and
                            // HA peers

  // The label `name`, "" if absent.
  std::string label(std::string_view name) const;
};

struct WebhookPayload {
  std::string version;  // always "4" once parsed
  std::string status;   // of the group: "firing" or "resolved"
  std::string receiver;
  std::string group_key;
  std::vector<Alert> alerts;
  long long truncated_alerts = 0;
};

// The webhook version this hook understands.
inline constexpr std::string_view kWebhookVersion = "4";

// Parses a webhook body. On failure returns nullopt and sets *error to a short reason
// ("not JSON: ...", "version is \"3\", want \"4\"", "alerts[2].labels.role is not a string").
std::optional<WebhookPayload> parse_webhook_payload(std::string_view body, std::string* error);

}  // namespace ndes::renew
