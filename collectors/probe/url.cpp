#include "probe/url.h"

#ifdef _WIN32
#include <ws2tcpip.h>  // inet_pton (Windows Vista and later)
#else
#include <arpa/inet.h>
#endif

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/text.h"

namespace ndes::probe {
namespace {

std::optional<int> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  int port = 0;
  std::from_chars(s.data(), s.data() + s.size(), port);
  if (port < 1 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

bool has_bad_host_chars(std::string_view host) {
  return host.empty() || std::any_of(host.begin(), host.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return u <= 0x20 || u == 0x7f || c == '/' || c == '?' || c == '#' || c == '@' ||
                  c == '[' || c == ']';
         });
}

// "host", "host:port", "[v6]", "[v6]:port" -> host, ipv6, port text ("" if none).
struct Authority {
  std::string host;
  bool ipv6 = false;
  std::string port;
  bool has_colon = false;  // "host:" is malformed, not "host"
};
std::optional<Authority> split_authority(std::string_view hostport) {
  Authority a;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    a.host = std::string(hostport.substr(1, close - 1));
    a.ipv6 = true;
    const std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return std::nullopt;
      }
      a.port = std::string(rest.substr(1));
      a.has_colon = true;
    }
    in6_addr addr{};
    if (inet_pton(AF_INET6, a.host.c_str(), &addr) != 1) {
      return std::nullopt;
    }
    return a;
  }
  const auto colon = hostport.rfind(':');
  if (colon != std::string_view::npos) {
    if (hostport.find(':') != colon) {
      return std::nullopt;  // a bare IPv6 literal needs brackets to carry a port
    }
    a.host = std::string(hostport.substr(0, colon));
    a.port = std::string(hostport.substr(colon + 1));
    a.has_colon = true;
  } else {
    a.host = std::string(hostport);
  }
  if (has_bad_host_chars(a.host)) {
    return std::nullopt;
  }
  return a;
}

}  // namespace

std::string Url::origin() const {
  std::string out = scheme + "://";
  if (!userinfo.empty()) {
    out += userinfo + "@";
  }
  out += host_for_url();
  if (explicit_port) {
    out += ":" + std::to_string(port);
  }
  return out;
}

std::optional<Url> parse_http_url(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return std::nullopt;
  }
  Url url;
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") {
    return std::nullopt;
  }
  std::string_view rest = text.substr(sep + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const auto auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    url.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  const auto a = split_authority(authority);
  if (!a) {
    return std::nullopt;
  }
  url.host = a->host;
  url.ipv6 = a->ipv6;
  url.port = url.scheme == "https" ? 443 : 80;
  if (a->has_colon) {
    const auto port = parse_port(a->port);
    if (!port) {
      return std::nullopt;
    }
    url.port = *port;
    url.explicit_port = true;
  }
  const auto q = rest.find('?');
  url.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) {
    url.has_query = true;
    url.query = std::string(rest.substr(q + 1));
  }
  return url;
}

bool is_ip_literal(std::string_view host) {
  const std::string h(host);
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, h.c_str(), &v4) == 1 || inet_pton(AF_INET6, h.c_str(), &v6) == 1;
}

std::optional<HostPort> parse_host_port(std::string_view text, int default_port) {
  if (text.empty()) {
    return std::nullopt;
  }
  if (text.find("://") != std::string_view::npos) {
    const auto url = parse_http_url(text);
    if (!url) {
      return std::nullopt;
    }
    return HostPort{url->host, url->port};
  }
  if (text.find(':') != text.rfind(':') && text.front() != '[') {
    // A bare IPv6 literal: no port can follow it.
    if (!is_ip_literal(text)) {
      return std::nullopt;
    }
    return HostPort{std::string(text), default_port};
  }
  const auto a = split_authority(text);
  if (!a) {
    return std::nullopt;
  }
  HostPort hp{a->host, default_port};
  if (a->has_colon) {
    const auto port = parse_port(a->port);
    if (!port) {
      return std::nullopt;
    }
    hp.port = *port;
  }
  return hp;
}

}  // namespace ndes::probe
