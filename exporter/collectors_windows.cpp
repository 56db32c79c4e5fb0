// The collectors of the Windows build: the certificate stores by default, the files,
// and the health of the NDES stack (services, IIS pools, events, registry).
#include "certstore/certstore_collector.h"
#include "eventlog/eventlog_collector.h"
#include "exporter/collector_table.h"
#include "iis/iis_collector.h"
#include "ndes_registry/ndes_collector.h"
#include "services/services_collector.h"

namespace ndes {

std::vector<CollectorRow> platform_collectors() {
  return {
      files_collector_row(false),
      {"certstore", "windows", true,
       [](ExporterConfig& c) { return certstore_settings(c.certstore); },
       [](const ExporterConfig& c) {
         // The SCEP pool's identity, a default key reader, as the iis collector reads it.
         certstore::StoreAccess access;
         access.scep_pool_identity = [iis = c.iis](std::string* error) {
           return iis::scep_pool_identity(iis, error);
         };
         return std::make_unique<certstore::CertstoreCollector>(c.certstore, c.template_names,
                                                                std::move(access));
       }},
      {"services", "windows", false,
       [](ExporterConfig& c) { return services_settings(c.services); },
       [](const ExporterConfig& c) { return services::make_collector(c.services); }},
      {"iis", "windows", false, [](ExporterConfig& c) { return iis_settings(c.iis); },
       [](const ExporterConfig& c) { return iis::make_collector(c.iis); }},
      {"eventlog", "windows", false,
       [](ExporterConfig& c) { return eventlog_settings(c.eventlog); },
       [](const ExporterConfig& c) { return eventlog::make_collector(c.eventlog); }},
      {"ndes", "windows", false, nullptr,
       [](const ExporterConfig&) { return ndesreg::make_collector(); }},
  };
}

}  // namespace ndes
