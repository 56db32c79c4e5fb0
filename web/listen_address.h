// --web.listen-address of both binaries: parsing, and the civetweb listening_ports
// value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ndes {

// A parsed --web.listen-address: ":10227", "127.0.0.1:10227", "[::1]:10227",
// "localhost:10227".
struct ListenAddress {
  std::string host;  // "" = every interface; IPv6 without brackets
  int port = 0;
  bool ipv6 = false;  // host is an IPv6 literal
};

// Parses host:port. On failure returns nullopt and sets *error to a reason
// ("has no port", ...) that names no flag.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error);

// The civetweb listening_ports value for an address: "10227" / "+10227",
// "127.0.0.1:10227", "[::1]:10227". `dual_stack` makes an empty host listen on
// IPv4 and IPv6. Host names are resolved here.
std::string to_civetweb_ports(const ListenAddress& address, bool dual_stack);

}  // namespace ndes
