#include "certstore/certstore_config.h"

#include <utility>

#include "base/text.h"
#include "certstore/store_name.h"

namespace ndes {

settings::Table certstore_settings(CertstoreCollectorConfig& cfg) {
  using settings::Kind;
  using settings::Values;
  const auto stores = [&cfg](const Values& v) -> std::string {
    std::vector<std::string> names;
    for (const auto& name : v) {
      std::string reason;
      if (!certstore::parse_store_name(name, &reason)) {
        return reason;
      }
      names.push_back(name);
    }
    cfg.stores = std::move(names);
    return "";
  };
  const auto key_readers = [&cfg](const Values& v) -> std::string {
    for (const auto& name : v) {
      if (trim(name).empty()) {
        return "an empty identity is not allowed";
      }
    }
    cfg.key_readers = v;
    return "";
  };
  const auto service_account = [&cfg](const Values& v) -> std::string {
    cfg.service_account = trim(v.back());
    return "";
  };
  return {
      {"collector.certstore.store", Kind::list, "STORE",
       "Windows certificate store to read, Location\\Name (repeatable)", "LocalMachine\\My", stores,
       nullptr},
      {"collector.certstore.key-reader", Kind::list, "IDENTITY",
       "Account whose read access to each private key is reported (repeatable; default: the "
       "service account)",
       "", key_readers, nullptr},
      {"collector.certstore.service-account", Kind::text, "ACCOUNT",
       "The NDES service account, e.g. CORP\\svc-ndes", "", service_account, nullptr},
  };
}

}  // namespace ndes
