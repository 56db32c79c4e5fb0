#include "services/services_config.h"

namespace ndes {

settings::Table services_settings(ServicesCollectorConfig& cfg) {
  return {
      {"collector.services.name", settings::Kind::list, "NAME",
       "Windows service to report (repeatable; default: IIS, WAS and the Intune connectors)", "",
       settings::non_empty_list_setter(&cfg.names, "service name"), nullptr},
  };
}

}  // namespace ndes
