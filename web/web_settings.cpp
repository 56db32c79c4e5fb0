#include "web/web_settings.h"

#include "base/text.h"
#include "web/http_server.h"
#include "web/listen_address.h"

namespace ndes {

settings::Setter listen_address_setter(std::string* target) {
  return settings::checked_setter(target, [](const std::string& value) -> std::string {
    std::string reason;
    return parse_listen_address(value, &reason) ? "" : quote(value) + " " + reason;
  });
}

settings::Setter web_count_setter(int* target) {
  return [target](const settings::Values& v) -> std::string {
    const auto n = parse_web_max_requests(v.back());
    if (!n) {
      return quote(v.back()) + " is not a number from 1 to 99999";
    }
    *target = *n;
    return "";
  };
}

}  // namespace ndes
