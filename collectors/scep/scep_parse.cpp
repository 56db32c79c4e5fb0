#include "scep/scep_parse.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/base64.h"
#include "base/text.h"
#include "probe/url.h"

namespace ndes::scep {
namespace {

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The media type without parameters, lower case: "application/x-x509-ca-ra-cert".
std::string media_type(std::string_view content_type) {
  return lower(trim_view(content_type.substr(0, content_type.find(';'))));
}

// A capability is a short token: RFC 8894 names (AES, SHA-256, POSTPKIOperation,
// SCEPStandard...) and vendor additions all fit.
bool is_capability_token(std::string_view line) {
  return !line.empty() && line.size() <= 64 &&
         std::all_of(line.begin(), line.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
         });
}

}  // namespace

std::optional<std::string> request_url(std::string_view target, std::string_view operation,
                                       std::string* error) {
  std::string text(target);
  if (text.find("://") == std::string::npos) {
    text = "https://" + text;
  }
  const auto url = probe::parse_http_url(text);
  if (!url || url->host.empty()) {
    if (error != nullptr) {
      *error = "the target is not an http(s) URL";
    }
    return std::nullopt;
  }
  std::string path = url->path.empty() ? "/" : url->path;
  if (ends_with_ci(path, ".dll")) {
    path += "/pkiclient.exe";
  }
  std::string out = url->origin() + path + "?";
  if (url->has_query && !url->query.empty()) {
    out += url->query + "&";
  }
  out += "operation=" + std::string(operation) + "&message=probe";
  return out;
}

CaCaps parse_ca_caps(std::string_view body) {
  CaCaps caps;
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(body.data()),
                                            body.size());
  if (looks_like_html(bytes)) {
    caps.error = "the GetCACaps answer is an HTML page, not a capability list";
    return caps;
  }
  std::set<std::string, std::less<>> seen;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    auto end = body.find('\n', pos);
    if (end == std::string_view::npos) {
      end = body.size();
    }
    const std::string_view line = trim_view(body.substr(pos, end - pos));
    if (!line.empty()) {
      if (!is_capability_token(line)) {
        caps.capabilities.clear();
        caps.error = "the GetCACaps answer is not a capability list (line \"" +
                     std::string(line.substr(0, 40)) + "\")";
        return caps;
      }
      if (seen.insert(std::string(line)).second) {
        caps.capabilities.emplace_back(line);
      }
    }
    pos = end + 1;
  }
  return caps;
}

bool looks_like_html(std::span<const std::uint8_t> body) {
  std::size_t i = 0;
  if (body.size() >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF) {
    i = 3;
  }
  while (i < body.size() && is_space(body[i])) {
    ++i;
  }
  return i < body.size() && body[i] == '<';
}

CaCertAnswer decode_ca_cert(std::string_view content_type, std::span<const std::uint8_t> body,
                            const TemplateNames* template_names) {
  CaCertAnswer answer;
  const std::string type = media_type(content_type);
  const std::string said = type.empty() ? "no Content-Type" : "Content-Type " + type;
  if (body.empty()) {
    answer.error = "the GetCACert answer is empty (" + said + ")";
    return answer;
  }
  if (looks_like_html(body)) {
    answer.error = "the GetCACert answer is an HTML page, not certificates (" + said + ")";
    return answer;
  }
  const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
  std::vector<std::uint8_t> decoded;
  std::span<const std::uint8_t> der = body;
  if (body[0] == 0x30) {
    answer.format = "DER";
  } else if (text.find("-----BEGIN ") != std::string_view::npos) {
    answer.format = "PEM";
  } else if (auto b64 = base64_decode(text); b64 && !b64->empty()) {
    decoded = std::move(*b64);
    der = decoded;
    answer.format = "base64 DER";
  } else {
    answer.error = "the GetCACert answer is neither DER, PEM nor base64 (" + said + ")";
    return answer;
  }
  // The name hint only steers the parser's error wording; the bytes decide.
  const char* hint = type == "application/x-x509-ca-cert" ? "GetCACert.cer" : "GetCACert.p7b";
  ParseOptions options;
  options.template_names = template_names;
  ParseResult parsed = parse_certificates(der, hint, options);
  answer.certificates = std::move(parsed.certificates);
  if (parsed.error) {
    answer.error = "the GetCACert answer (" + answer.format + ", " + said +
                   ") cannot be read: " + parsed.detail;
  } else if (answer.certificates.empty()) {
    answer.error =
        "the GetCACert answer (" + answer.format + ", " + said + ") holds no certificate";
  }
  return answer;
}

}  // namespace ndes::scep
