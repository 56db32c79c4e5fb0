// The `iis` collector's Windows shell: reads applicationHost.config for the
// configured pools' identities and asks `appcmd list apppool NAME /text:state`
// (by argv, no shell) for their live state (app_pool.h maps both to samples).
// An unreadable applicationHost.config fails the collection; an appcmd that cannot
// run (IIS management tools missing) gives state "unknown" and a warning.
// clang-format off
#include <windows.h>
// clang-format on

#include "iis/iis_collector.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/process.h"
#include "base/win/utf16.h"
#include "iis/app_pool.h"
#include "iis/iis_config.h"
#include "ndes/collect/collector.h"

namespace ndes::iis {
namespace {

std::string windows_dir() {
  wchar_t buf[MAX_PATH];
  const UINT n = GetSystemWindowsDirectoryW(buf, MAX_PATH);
  return n > 0 && n < MAX_PATH ? win::narrow(std::wstring(buf, n)) : "C:\\Windows";
}

std::string read_file(const std::string& path) {
  std::ifstream in(std::filesystem::u8path(path), std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path + " (is IIS installed?)");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string config_file_of(const IisCollectorConfig& config) {
  return config.config_file.empty()
             ? windows_dir() + "\\System32\\inetsrv\\config\\applicationHost.config"
             : config.config_file;
}

class IisCollector : public Collector {
 public:
  explicit IisCollector(const IisCollectorConfig& config)
      : pools_(config.app_pools),
        config_file_(config_file_of(config)),
        appcmd_(config.appcmd.empty() ? windows_dir() + "\\System32\\inetsrv\\appcmd.exe"
                                      : config.appcmd) {}
  std::string_view name() const override { return kCollector; }

  CollectorResult collect() override {
    CollectorResult result;
    result.collector = kCollector;
    std::string error;
    const auto declared = parse_app_pools(read_file(config_file_), &error);
    if (!declared) {
      throw std::runtime_error(config_file_ + ": " + error);
    }
    for (const auto& pool : pools_) {
      const auto config = find_pool(*declared, pool);
      if (!config) {
        log_warn("application pool not declared",
                 {{"collector", "iis"}, {"config", config_file_}, {"pool", pool}});
      }
      for (auto& s : app_pool_samples(pool, config, live_state(pool))) {
        result.samples.push_back(std::move(s));
      }
    }
    return result;
  }

 private:
  std::string_view live_state(const std::string& pool) {
    ProcessSpec spec;
    spec.argv = {appcmd_, "list", "apppool", pool, "/text:state"};
    spec.env = clean_environment("");
    spec.timeout = std::chrono::seconds(10);
    const ProcessResult r = run_process(spec);
    if (!r.started || r.exit_code != 0) {
      if (!warned_appcmd_.exchange(true)) {
        log_warn("no live application pool state",
                 {{"collector", "iis"},
                  {"pool", pool},
                  {"appcmd", appcmd_},
                  {"err", !r.started ? r.error
                                     : "exit code " + std::to_string(r.exit_code) + ": " + r.out +
                                           r.err}});
      }
      return "unknown";
    }
    return state_from_appcmd(r.out);
  }

  std::vector<std::string> pools_;
  std::string config_file_;
  std::string appcmd_;
  std::atomic<bool> warned_appcmd_{false};
};

}  // namespace

std::optional<std::string> scep_pool_identity(const IisCollectorConfig& config,
                                              std::string* error) {
  if (config.app_pools.empty()) {
    *error = "no application pool is configured";
    return std::nullopt;
  }
  const std::string file = config_file_of(config);
  std::string text;
  try {
    text = read_file(file);
  } catch (const std::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
  std::string why;
  const auto pools = parse_app_pools(text, &why);
  if (!pools) {
    *error = file + ": " + why;
    return std::nullopt;
  }
  const auto pool = find_pool(*pools, config.app_pools.front());
  if (!pool) {
    *error = file + " declares no application pool " + config.app_pools.front();
    return std::nullopt;
  }
  return identity_account(*pool);
}

std::unique_ptr<Collector> make_collector(const IisCollectorConfig& config) {
  return std::make_unique<IisCollector>(config);
}

}  // namespace ndes::iis
