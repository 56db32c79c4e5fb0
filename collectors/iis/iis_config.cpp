#include "iis/iis_config.h"

namespace ndes {

settings::Table iis_settings(IisCollectorConfig& cfg) {
  using settings::Kind;
  using settings::path_setter;
  return {
      {"collector.iis.app-pool", Kind::list, "POOL", "IIS application pool to report (repeatable)",
       "SCEP", settings::non_empty_list_setter(&cfg.app_pools, "application pool name"), nullptr},
      {"collector.iis.config-file", Kind::text, "FILE",
       "IIS applicationHost.config (default: %windir%\\System32\\inetsrv\\config\\...)", "",
       path_setter(&cfg.config_file), nullptr},
      {"collector.iis.appcmd", Kind::text, "FILE",
       "appcmd.exe for the live pool state (default: %windir%\\System32\\inetsrv\\appcmd.exe)", "",
       path_setter(&cfg.appcmd), nullptr},
  };
}

}  // namespace ndes
