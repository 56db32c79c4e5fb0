#include "web/listen_address.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#endif

#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace ndes {
namespace {

#ifdef _WIN32
// getaddrinfo and inet_pton need Winsock started (civetweb starts it again for
// itself; the calls are counted).
[[maybe_unused]] const bool kWinsockStarted = [] {
  WSADATA data{};
  return WSAStartup(MAKEWORD(2, 2), &data) == 0;
}();
#endif

bool parse_port(std::string_view text, int* port) {
  if (text.empty() || text.size() > 5) {
    return false;
  }
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0 || value > 65535) {
    return false;
  }
  *port = value;
  return true;
}

// Resolves a host name to a numeric address civetweb accepts.
std::string resolve_host(const std::string& host, bool* ipv6) {
  if (host == "localhost") {
    *ipv6 = false;
    return "127.0.0.1";
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    throw std::runtime_error("cannot resolve host \"" + host + "\"");
  }
  std::array<char, INET6_ADDRSTRLEN> buf{};
  std::string out;
  // Prefer IPv4, as a host name usually means "the machine's address".
  for (int pass = 0; pass < 2 && out.empty(); ++pass) {
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
      if (pass == 0 && ai->ai_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
        inet_ntop(AF_INET, &sin->sin_addr, buf.data(), buf.size());
        out = buf.data();
        *ipv6 = false;
        break;
      }
      if (pass == 1 && ai->ai_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
        inet_ntop(AF_INET6, &sin6->sin6_addr, buf.data(), buf.size());
        out = buf.data();
        *ipv6 = true;
        break;
      }
    }
  }
  freeaddrinfo(found);
  if (out.empty()) {
    throw std::runtime_error("cannot resolve host \"" + host + "\"");
  }
  return out;
}

bool is_ipv4_literal(const std::string& host) {
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error) {
  const auto fail = [&](std::string reason) -> std::optional<ListenAddress> {
    if (error != nullptr) {
      *error = std::move(reason);
    }
    return std::nullopt;
  };
  if (text.empty()) {
    return fail("is empty (want host:port, e.g. :10227)");
  }
  ListenAddress out;
  std::string_view port_text;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return fail("has no closing ] (want [ipv6]:port, e.g. [::1]:10227)");
    }
    out.host = std::string(text.substr(1, close - 1));
    out.ipv6 = true;
    in6_addr addr{};
    if (out.host.empty() || inet_pton(AF_INET6, out.host.c_str(), &addr) != 1) {
      return fail("has an invalid IPv6 address");
    }
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return fail("has no port (want [ipv6]:port, e.g. [::1]:10227)");
    }
    port_text = rest.substr(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return fail("has no port (want host:port, e.g. :10227)");
    }
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) {
      return fail("has an IPv6 address without brackets (want [ipv6]:port)");
    }
    port_text = text.substr(colon + 1);
    for (const char c : out.host) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') {
        return fail("has an invalid host");
      }
    }
  }
  if (port_text.empty()) {
    return fail("has no port (want host:port, e.g. :10227)");
  }
  if (!parse_port(port_text, &out.port)) {
    return fail("has an invalid port \"" + std::string(port_text) + "\" (want 0-65535)");
  }
  return out;
}

std::string to_civetweb_ports(const ListenAddress& address, bool dual_stack) {
  const std::string port = std::to_string(address.port);
  if (address.host.empty()) {
    return (dual_stack ? "+" : "") + port;
  }
  if (address.ipv6) {
    return "[" + address.host + "]:" + port;
  }
  if (is_ipv4_literal(address.host)) {
    return address.host + ":" + port;
  }
  bool ipv6 = false;
  const std::string numeric = resolve_host(address.host, &ipv6);
  return ipv6 ? "[" + numeric + "]:" + port : numeric + ":" + port;
}

}  // namespace ndes
