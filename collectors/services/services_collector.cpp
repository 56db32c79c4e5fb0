// The `services` collector's Windows shell: asks the service control manager for
// each configured service's state and start mode (service_model.h says what
// becomes of them). A service that is not installed is ndes_service_installed 0,
// not an error; an SCM that cannot be opened is a failed collection.
// clang-format off
#include <windows.h>
#include <winsvc.h>
// clang-format on

#include "services/services_collector.h"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/win/error_text.h"
#include "base/win/scm.h"
#include "ndes/collect/collector.h"
#include "services/service_model.h"
#include "services/services_config.h"

namespace ndes::services {
namespace {

using win::ScHandle;

// What the SCM says of one service; installed = false when it does not know it.
// Throws std::runtime_error for other failures (access denied...).
ServiceFacts query_service(SC_HANDLE scm, const std::string& name) {
  ServiceFacts facts;
  facts.name = name;
  const ScHandle service =
      win::open_service(scm, name, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG);
  if (!service) {
    const DWORD err = GetLastError();
    if (err == ERROR_SERVICE_DOES_NOT_EXIST) {
      return facts;
    }
    throw std::runtime_error("cannot open service " + name + ": " + win::error_text(err));
  }
  facts.installed = true;
  SERVICE_STATUS status{};
  if (!QueryServiceStatus(service.get(), &status)) {
    throw std::runtime_error("cannot query the state of " + name + ": " +
                             win::error_text(GetLastError()));
  }
  facts.current_state = status.dwCurrentState;
  DWORD needed = 0;
  QueryServiceConfigW(service.get(), nullptr, 0, &needed);
  std::vector<std::uint8_t> buf(needed > 0 ? needed : sizeof(QUERY_SERVICE_CONFIGW));
  auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buf.data());
  if (!QueryServiceConfigW(service.get(), config, static_cast<DWORD>(buf.size()), &needed)) {
    throw std::runtime_error("cannot query the configuration of " + name + ": " +
                             win::error_text(GetLastError()));
  }
  facts.start_type = config->dwStartType;
  SERVICE_DELAYED_AUTO_START_INFO delayed{};
  // Not every SCM knows this (older wine): then it is not delayed.
  if (QueryServiceConfig2W(service.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO,
                           reinterpret_cast<LPBYTE>(&delayed), sizeof delayed, &needed)) {
    facts.delayed_auto_start = delayed.fDelayedAutostart != FALSE;
  }
  return facts;
}

class ServicesCollector : public Collector {
 public:
  explicit ServicesCollector(const ServicesCollectorConfig& config) : names_(config.names) {}
  std::string_view name() const override { return kCollector; }

  CollectorResult collect() override {
    CollectorResult result;
    result.collector = kCollector;
    const ScHandle scm = win::open_scm();
    if (!scm) {
      throw std::runtime_error("cannot connect to the service control manager: " +
                               win::error_text(GetLastError()));
    }
    for (const auto& name : names_) {
      const ServiceFacts facts = query_service(scm.get(), name);
      if (!facts.installed) {
        log_debug("service not installed", {{"collector", "services"}, {"service", name}});
      }
      for (auto& s : service_samples(facts)) {
        result.samples.push_back(std::move(s));
      }
    }
    return result;
  }

 private:
  std::vector<std::string> names_;
};

}  // namespace

std::unique_ptr<Collector> make_collector(const ServicesCollectorConfig& config) {
  return std::make_unique<ServicesCollector>(config);
}

}  // namespace ndes::services
