// Label values must be valid UTF-8 (Prometheus rejects the scrape otherwise);
// certificate names come from arbitrary ASN.1 strings.
#pragma once

#include <string>

namespace ndes {

// Returns s unchanged when it is valid UTF-8, else with each invalid byte
// replaced by U+FFFD.
std::string valid_utf8(std::string s);

}  // namespace ndes
