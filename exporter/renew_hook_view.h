// The landing page's "Renewals" section: the last renewal per template, read from
// ndes_renew_hook's GET /renewals (--renew-hook.url, --renew-hook.auth-token-file).
// Parsing and summarising are pure (unit-tested); fetch_renew_hook_view() is the I/O,
// with a short timeout, and never throws: a dead hook becomes a message on the page.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndes {

// http://host:port[/prefix]: where the hook listens. Only plain http (the hook has no TLS;
// it is meant to listen on loopback next to the exporter).
struct HookUrl {
  std::string host;  // without brackets for IPv6
  int port = 80;
  std::string prefix;  // "" or "/x" (no trailing slash)
  std::string base;    // as given, without a trailing slash: base + "/renewals" is the link
};

// nullopt with *error set ("must start with http://", ...) when `text` is not such a URL.
std::optional<HookUrl> parse_hook_url(std::string_view text, std::string* error);

struct LastRenewal {
  std::string template_name;
  std::string id;
  std::string status;  // planned, running, succeeded, failed, interrupted
  std::string reason;
  std::string thumbprint;
  std::string when;  // finished, else started, else created (as the hook wrote it)
};

struct RenewHookView {
  std::string renewals_url;       // the link
  std::string mode;               // the hook's mode (dry-run/execute), "" if unknown
  std::vector<LastRenewal> last;  // one per template, sorted by template
  std::string error;              // set when the hook could not be read
};

// The last renewal of each template in a GET /renewals answer (records in journal order;
// skipped alerts are not renewals). Empty `error` on success.
RenewHookView summarize_renewals(std::string_view body, std::string* error);

// GET <base>/renewals with the bearer token from `token_file`, within `timeout_ms` for the
// answer (connecting to an unreachable remote host can take civetweb's own 10 s).
RenewHookView fetch_renew_hook_view(const std::string& url, const std::string& token_file,
                                    int timeout_ms);

}  // namespace ndes
