#include "renew/alert.h"

#include <nlohmann/json.hpp>

#include "base/text.h"

namespace ndes::renew {
namespace {

using json = nlohmann::json;

// Reads an optional string member; false when present but not a string.
bool read_string(const json& object, const char* key, std::string* out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return true;
  }
  if (!it->is_string()) {
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

// A map of string to string (labels, annotations); "" or the reason it is not one.
std::string read_string_map(const json& object, const char* key, const std::string& where,
                            std::map<std::string, std::string>* out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return "";
  }
  if (!it->is_object()) {
    return where + "." + key + " is not an object";
  }
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string()) {
      return where + "." + key + "." + printable(name) + " is not a string";
    }
    (*out)[name] = value.get<std::string>();
  }
  return "";
}

std::string read_alert(const json& node, const std::string& where, Alert* alert) {
  if (!node.is_object()) {
    return where + " is not an object";
  }
  if (!read_string(node, "status", &alert->status)) {
    return where + ".status is not a string";
  }
  if (alert->status != "firing" && alert->status != "resolved") {
    return where + ".status is \"" + printable(alert->status) + "\", want firing or resolved";
  }
  if (auto err = read_string_map(node, "labels", where, &alert->labels); !err.empty()) {
    return err;
  }
  std::map<std::string, std::string> annotations;  // checked for shape, not kept
  if (auto err = read_string_map(node, "annotations", where, &annotations); !err.empty()) {
    return err;
  }
  if (!read_string(node, "startsAt", &alert->starts_at) ||
      !read_string(node, "endsAt", &alert->ends_at) ||
      !read_string(node, "fingerprint", &alert->fingerprint)) {
    return where + " has a non-string startsAt, endsAt or fingerprint";
  }
  return "";
}

}  // namespace

std::string Alert::label(std::string_view name) const {
  const auto it = labels.find(std::string(name));
  return it == labels.end() ? std::string() : it->second;
}

std::optional<WebhookPayload> parse_webhook_payload(std::string_view body, std::string* error) {
  const auto fail = [&](std::string reason) -> std::optional<WebhookPayload> {
    if (error != nullptr) {
      *error = std::move(reason);
    }
    return std::nullopt;
  };
  json root;
  try {
    root = json::parse(body.begin(), body.end());
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number past double's range (1e400).
    return fail(std::string("not JSON: ") + e.what());
  }
  if (!root.is_object()) {
    return fail("the payload is not a JSON object");
  }
  WebhookPayload payload;
  const auto version = root.find("version");
  if (version == root.end() || !version->is_string()) {
    return fail("version is missing or not a string, want \"4\"");
  }
  payload.version = version->get<std::string>();
  if (payload.version != kWebhookVersion) {
    return fail("version is \"" + printable(payload.version) + "\", want \"4\"");
  }
  if (!read_string(root, "status", &payload.status) ||
      !read_string(root, "receiver", &payload.receiver) ||
      !read_string(root, "groupKey", &payload.group_key)) {
    return fail("status, receiver or groupKey is not a string");
  }
  if (const auto t = root.find("truncatedAlerts"); t != root.end() && t->is_number_integer()) {
    payload.truncated_alerts = t->get<long long>();
  }
  const auto alerts = root.find("alerts");
  if (alerts == root.end() || !alerts->is_array()) {
    return fail("alerts is missing or not a list");
  }
  for (std::size_t i = 0; i < alerts->size(); ++i) {
    Alert alert;
    if (auto err = read_alert((*alerts)[i], "alerts[" + std::to_string(i) + "]", &alert);
        !err.empty()) {
      return fail(err);
    }
    payload.alerts.push_back(std::move(alert));
  }
  return payload;
}

}  // namespace ndes::renew
