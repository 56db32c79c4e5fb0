#include "renew/decide.h"

#include <algorithm>
#include <cctype>

#include "base/text.h"

namespace ndes::renew {
namespace {

bool contains(const std::vector<std::string>& items, const std::string& value) {
  return std::find(items.begin(), items.end(), value) != items.end();
}

std::string quoted(std::string_view value) { return "\"" + printable(value) + "\""; }

}  // namespace

bool is_thumbprint(std::string_view value) { return value.size() == 40 && is_hex(value); }

std::string normalize_instance(std::string_view label) {
  std::string_view host = label;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    host = close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    host = host.substr(0, host.find(':'));  // host:port; a bare IPv6 address has several
  }
  return lower(host);
}

bool is_instance_name(std::string_view value) {
  return !value.empty() && value.size() <= 255 &&
         std::all_of(value.begin(), value.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ||
                  c == '_' || c == ':';
         });
}

Decision decide(const Alert& alert, const Policy& policy) {
  Decision d;
  const auto skip = [&](std::string reason) {
    d.verdict = Verdict::skip;
    d.reason = std::move(reason);
    return d;
  };
  const std::string alertname = alert.label("alertname");
  if (alert.status == "resolved") {
    d.verdict = Verdict::resolved;
    d.reason = "alert resolved: resolved alerts are recorded, never acted on";
    return d;
  }
  if (!contains(policy.alertnames, alertname)) {
    return skip("alertname " + quoted(alertname) + " is not one the hook acts on");
  }
  const std::string role = alert.label("role");
  if (!contains(renewable_roles(), role)) {
    return skip("role " + quoted(role) + " is not cep_encryption or enrollment_agent");
  }
  const bool repair = alertname == kDuplicateAlert;
  const std::string thumbprint = alert.label("thumbprint");
  if (repair) {
    // The repair works on LocalMachine\My, the store NDES reads; duplicates elsewhere
    // (a files source) are for people.
    if (alert.label("collector") != "certstore") {
      return skip("collector " + quoted(alert.label("collector")) +
                  " is not certstore: the hook repairs only LocalMachine\\My");
    }
  } else if (!is_thumbprint(thumbprint)) {
    return skip("thumbprint " + quoted(thumbprint) + " is not exactly 40 hex characters");
  }
  const std::string template_name = alert.label("template");
  if (!contains(policy.templates, template_name)) {
    return skip("template " + quoted(template_name) + " is not in the allowlist");
  }
  const std::string instance_label = alert.label("instance");
  if (instance_label.empty() || normalize_instance(instance_label) != policy.instance) {
    return skip("instance " + quoted(instance_label) + " is not this host (" + policy.instance +
                ")");
  }
  d.verdict = Verdict::act;
  d.target.action = repair ? Action::repair : Action::renew;
  d.target.thumbprint = repair ? std::string() : upper(thumbprint);
  d.target.template_name = template_name;
  d.target.role = role;
  d.target.instance = policy.instance;
  d.target.instance_label = instance_label;
  d.target.alertname = alertname;
  return d;
}

}  // namespace ndes::renew
