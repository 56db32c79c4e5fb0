// Just enough URL handling for probe targets. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ndes::probe {

struct Url {
  std::string scheme;    // lower case: http, https
  std::string userinfo;  // "" if none (kept so a rewritten URL keeps it)
  std::string host;      // IPv6 without brackets
  bool ipv6 = false;
  int port = 0;  // explicit port, else the scheme's default
  bool explicit_port = false;
  std::string path;   // "" or starting with '/'
  std::string query;  // after '?', "" if none
  bool has_query = false;

  // host as it goes into a URL: [::1] for IPv6.
  std::string host_for_url() const { return ipv6 ? "[" + host + "]" : host; }
  // scheme://userinfo@host:port (the port only if it was explicit).
  std::string origin() const;
};

// Parses an absolute http(s) URL; fragments are dropped. nullopt for anything else.
std::optional<Url> parse_http_url(std::string_view text);

// true for an IPv4 or IPv6 literal (SNI must not carry one).
bool is_ip_literal(std::string_view host);

// host:port, [v6]:port, host (port `default_port`), or an https:// URL. nullopt if
// malformed.
struct HostPort {
  std::string host;  // IPv6 without brackets
  int port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view text, int default_port);

}  // namespace ndes::probe
