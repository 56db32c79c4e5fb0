#include "renew/audit.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <vector>

#include "base/log.h"

namespace ndes::renew {

void setup_audit_logging(const std::string& level, const std::string& format,
                         const std::string& audit_file) {
  auto console = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  console->set_formatter(make_log_formatter(format));
  auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(audit_file, false);
  file->set_formatter(make_log_formatter(format));
  std::vector<spdlog::sink_ptr> sinks = {console, file};
  auto logger = std::make_shared<spdlog::logger>("ndes_renew_hook", sinks.begin(), sinks.end());
  logger->set_level(parse_log_level(level));
  logger->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace ndes::renew
