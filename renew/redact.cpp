#include "renew/redact.h"

namespace ndes::renew {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

// The header "-----BEGIN <label>-----" at `at`: its label, or "" if malformed.
std::string_view pem_label(std::string_view text, std::size_t at, std::size_t* header_end) {
  const std::size_t label_start = at + kBegin.size();
  const std::size_t close = text.find(kDashes, label_start);
  const std::size_t eol = text.find('\n', label_start);
  if (close == std::string_view::npos || (eol != std::string_view::npos && eol < close)) {
    return {};
  }
  *header_end = close + kDashes.size();
  return text.substr(label_start, close - label_start);
}

}  // namespace

std::string redact_output(std::string_view text, const std::vector<std::string>& secrets,
                          std::size_t limit, std::size_t dropped) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t begin = text.find(kBegin, pos);
    if (begin == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    std::size_t header_end = 0;
    const std::string_view label = pem_label(text, begin, &header_end);
    if (label.size() < 11 || label.substr(label.size() - 11) != "PRIVATE KEY") {
      out.append(text.substr(pos, begin + kBegin.size() - pos));
      pos = begin + kBegin.size();
      continue;
    }
    out.append(text.substr(pos, begin - pos));
    out += "[private key redacted]";
    const std::string end_marker = std::string(kEnd) + std::string(label) + std::string(kDashes);
    const std::size_t end = text.find(end_marker, header_end);
    pos = end == std::string_view::npos ? text.size() : end + end_marker.size();
  }
  for (const auto& secret : secrets) {
    if (secret.empty()) {
      continue;
    }
    for (std::size_t at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + 10)) {
      out.replace(at, secret.size(), "[redacted]");
    }
  }
  const std::size_t cut = out.size() > limit ? out.size() - limit : 0;
  if (cut + dropped > 0) {
    out.resize(out.size() - cut);
    out += "\n[... " + std::to_string(cut + dropped) + " more bytes not kept]";
  }
  return out;
}

}  // namespace ndes::renew
