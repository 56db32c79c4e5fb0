#include "exporter/renew_hook_view.h"

#include <civetweb.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ndes {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxBody = std::size_t{4} * 1024 * 1024;

std::string field(const json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string trim_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

struct ConnectionCloser {
  void operator()(mg_connection* c) const { mg_close_connection(c); }
};

}  // namespace

std::optional<HookUrl> parse_hook_url(std::string_view text, std::string* error) {
  constexpr std::string_view kScheme = "http://";
  const auto fail = [&](const std::string& why) -> std::optional<HookUrl> {
    *error = why;
    return std::nullopt;
  };
  if (text.substr(0, kScheme.size()) != kScheme) {
    return fail("must start with http:// (the hook serves plain HTTP)");
  }
  std::string_view rest = text.substr(kScheme.size());
  if (rest.find_first_of("?# \t") != std::string_view::npos) {
    return fail("must be a plain URL without a query, a fragment or spaces");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!prefix.empty() && prefix.back() == '/') {
    prefix.pop_back();
  }
  HookUrl url;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail("has an unclosed [ in the host");
    }
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return fail("has text after the ] of the host");
      }
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    return fail("has no host");
  }
  if (authority.find('@') != std::string_view::npos) {
    return fail("must not hold credentials (use --renew-hook.auth-token-file)");
  }
  if (!port_text.empty() || authority.back() == ':') {
    int port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return fail("has a port that is not a number from 1 to 65535");
    }
    url.port = port;
  }
  url.prefix = prefix;
  url.base = std::string(text);
  while (!url.base.empty() && url.base.back() == '/') {
    url.base.pop_back();
  }
  return url;
}

RenewHookView summarize_renewals(std::string_view body, std::string* error) {
  RenewHookView view;
  json doc;
  try {
    doc = json::parse(body);
  } catch (const json::exception&) {
    *error = "the answer is not JSON";
    return view;
  }
  if (!doc.is_object() || !doc.contains("renewals") || !doc["renewals"].is_array()) {
    *error = "the answer has no \"renewals\" list";
    return view;
  }
  view.mode = field(doc, "mode");
  std::map<std::string, LastRenewal> last;  // sorted by template
  for (const auto& r : doc["renewals"]) {
    if (!r.is_object() || field(r, "status") == "skipped" || field(r, "template").empty()) {
      continue;
    }
    LastRenewal l;
    l.template_name = field(r, "template");
    l.id = field(r, "id");
    l.status = field(r, "status");
    l.reason = field(r, "reason");
    l.thumbprint = field(r, "thumbprint");
    for (const char* name : {"finished", "started", "created"}) {
      l.when = field(r, name);
      if (!l.when.empty()) {
        break;
      }
    }
    last[l.template_name] = std::move(l);  // later records replace earlier ones
  }
  for (auto& [name, l] : last) {
    view.last.push_back(std::move(l));
  }
  error->clear();
  return view;
}

RenewHookView fetch_renew_hook_view(const std::string& url_text, const std::string& token_file,
                                    int timeout_ms) {
  RenewHookView view;
  std::string error;
  const auto url = parse_hook_url(url_text, &error);
  if (!url) {
    view.error = "--renew-hook.url " + error;
    return view;
  }
  view.renewals_url = url->base + "/renewals";
  std::string token;
  if (!token_file.empty()) {
    std::ifstream in(token_file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) {
      view.error = "cannot read the hook's token file " + token_file;
      return view;
    }
    token = trim_line_end(ss.str());
  }

  std::array<char, 256> ebuf{};
  std::unique_ptr<mg_connection, ConnectionCloser> conn(
      mg_connect_client(url->host.c_str(), url->port, 0, ebuf.data(), ebuf.size()));
  if (!conn) {
    view.error = "the hook at " + url->base + " does not answer: " + ebuf.data();
    return view;
  }
  std::string request = "GET " + url->prefix + "/renewals HTTP/1.0\r\nHost: " + url->host + ":" +
                        std::to_string(url->port) + "\r\nAccept: application/json\r\n";
  if (!token.empty()) {
    request += "Authorization: Bearer " + token + "\r\n";
  }
  request += "\r\n";
  if (mg_write(conn.get(), request.data(), request.size()) != static_cast<int>(request.size())) {
    view.error = "the hook at " + url->base + " closed the connection";
    return view;
  }
  ebuf.fill(0);
  if (mg_get_response(conn.get(), ebuf.data(), ebuf.size(), timeout_ms) < 0) {
    view.error = "the hook at " + url->base + " did not answer in " + std::to_string(timeout_ms) +
                 " ms: " + ebuf.data();
    return view;
  }
  const int status = mg_get_response_info(conn.get())->status_code;
  std::string body;
  std::array<char, 8192> chunk{};
  int n = 0;
  while ((n = mg_read(conn.get(), chunk.data(), chunk.size())) > 0 && body.size() < kMaxBody) {
    body.append(chunk.data(), static_cast<std::size_t>(n));
  }
  if (status != 200) {
    view.error = "the hook at " + url->base + " answered HTTP " + std::to_string(status) +
                 (status == 401 ? " (set --renew-hook.auth-token-file to the hook's token)" : "");
    return view;
  }
  RenewHookView parsed = summarize_renewals(body, &error);
  if (!error.empty()) {
    view.error = "the hook at " + url->base + ": " + error;
    return view;
  }
  parsed.renewals_url = view.renewals_url;
  return parsed;
}

}  // namespace ndes
